<?php
/**
 * Backfill: the posts list's bulk action "Make audio with Narrate" sends the chosen
 * posts in one batch (POST /api/v1/batches); an admin notice shows its progress.
 *
 * @package Narrate
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The backfill bulk action and its progress notice.
 */
class Narrate_Backfill {

	const ACTION = 'narrate_backfill';
	const OPTION = 'narrate_backfill';
	const LIMIT  = 100;

	/**
	 * Hooks the bulk action and the notice.
	 */
	public static function init() {
		foreach ( Narrate_Sync::post_types() as $type ) {
			add_filter( "bulk_actions-edit-{$type}", array( __CLASS__, 'actions' ) );
			add_filter( "handle_bulk_actions-edit-{$type}", array( __CLASS__, 'handle' ), 10, 3 );
		}
		add_action( 'admin_notices', array( __CLASS__, 'notice' ) );
	}

	/**
	 * Adds the bulk action.
	 *
	 * @param array $actions The list's bulk actions.
	 * @return array
	 */
	public static function actions( $actions ) {
		if ( Narrate_Settings::configured() && current_user_can( 'publish_posts' ) ) {
			$actions[ self::ACTION ] = __( 'Make audio with Narrate', 'narrate' );
		}
		return $actions;
	}

	/**
	 * Sends the chosen published posts as one batch. WordPress checked the list's nonce.
	 *
	 * @param string $redirect Where WordPress goes next.
	 * @param string $action   The bulk action.
	 * @param int[]  $post_ids The chosen posts.
	 * @return string
	 */
	public static function handle( $redirect, $action, $post_ids ) {
		if ( self::ACTION !== $action || ! current_user_can( 'publish_posts' ) ) {
			return $redirect;
		}
		$posts    = array();
		$articles = array();
		foreach ( array_slice( array_map( 'absint', $post_ids ), 0, self::LIMIT ) as $post_id ) {
			$post       = get_post( $post_id );
			$visibility = $post ? Narrate_Sync::wanted_visibility( $post ) : null;
			if ( null === $visibility || ! current_user_can( 'edit_post', $post_id ) ) {
				continue;
			}
			$body = Narrate_Sync::submission( $post, $visibility );
			if ( null !== $body ) {
				$posts[]    = $post_id;
				$articles[] = $body;
			}
		}
		if ( ! $articles ) {
			return add_query_arg( 'narrate_backfill', 'none', $redirect );
		}
		$answer = Narrate_Client::request( 'POST', 'batches', array( 'articles' => $articles ) );
		if ( is_wp_error( $answer ) || empty( $answer['data']['id'] ) ) {
			set_transient( 'narrate_backfill_error', is_wp_error( $answer ) ? $answer->get_error_message() : __( 'Narrate gave no batch id.', 'narrate' ), 300 );
			return add_query_arg( 'narrate_backfill', 'error', $redirect );
		}
		update_option(
			self::OPTION,
			array(
				'id'    => sanitize_text_field( $answer['data']['id'] ),
				'posts' => $posts,
			),
			false
		);
		self::record( $answer['data'], $posts, 0 );
		return add_query_arg( 'narrate_backfill', 'sent', $redirect );
	}

	/**
	 * Stores each batch item's article on its post.
	 *
	 * @param array $batch  A page of the batch (GET /api/v1/batches/ID).
	 * @param int[] $posts  The posts in the order they were sent.
	 * @param int   $offset The position of the page's first item.
	 */
	public static function record( $batch, $posts, $offset ) {
		foreach ( (array) ( $batch['items'] ?? array() ) as $index => $item ) {
			$position = isset( $item['position'] ) ? (int) $item['position'] : $offset + $index;
			if ( empty( $item['id'] ) || ! isset( $posts[ $position ] ) ) {
				continue;
			}
			$post_id = $posts[ $position ];
			update_post_meta( $post_id, '_narrate_article_id', sanitize_text_field( $item['id'] ) );
			update_post_meta( $post_id, '_narrate_status', sanitize_key( (string) $item['status'] ) );
			if ( ! empty( $item['error'] ) ) {
				update_post_meta( $post_id, '_narrate_error', sanitize_text_field( $item['error'] ) );
			}
		}
	}

	/**
	 * The progress of the last backfill, fetched from Narrate on each load of an admin page.
	 */
	public static function notice() {
		if ( ! current_user_can( 'publish_posts' ) ) {
			return;
		}
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- only chooses a message.
		$sent = isset( $_GET['narrate_backfill'] ) ? sanitize_key( $_GET['narrate_backfill'] ) : '';
		if ( 'none' === $sent ) {
			echo '<div class="notice notice-info is-dismissible"><p>' . esc_html__( 'None of the chosen posts is published with something to read.', 'narrate' ) . '</p></div>';
		} elseif ( 'error' === $sent ) {
			printf( '<div class="notice notice-error"><p>%s</p></div>', esc_html( (string) get_transient( 'narrate_backfill_error' ) ) );
		}
		$backfill = get_option( self::OPTION );
		if ( ! is_array( $backfill ) || empty( $backfill['id'] ) ) {
			return;
		}
		$answer = Narrate_Client::request( 'GET', 'batches/' . rawurlencode( $backfill['id'] ) . '?per_page=' . self::LIMIT );
		if ( is_wp_error( $answer ) ) {
			printf( '<div class="notice notice-warning"><p>%s</p></div>', esc_html( $answer->get_error_message() ) );
			return;
		}
		$batch = $answer['data'];
		self::record( $batch, $backfill['posts'], 0 );
		$progress = (array) ( $batch['progress'] ?? array() );
		$finished = in_array( $batch['status'] ?? '', array( 'done', 'cancelled' ), true );
		printf(
			'<div class="notice notice-%1$s narrate-backfill"><p>%2$s</p></div>',
			esc_attr( $finished ? 'success' : 'info' ),
			esc_html(
				sprintf(
					/* translators: 1: articles finished, 2: articles sent, 3: percent, 4: articles failed. */
					__( 'Narrate backfill: %1$d of %2$d articles finished (%3$d%%), %4$d failed.', 'narrate' ),
					(int) ( $progress['finished'] ?? 0 ),
					(int) ( $progress['total'] ?? count( $backfill['posts'] ) ),
					(int) ( $progress['percent'] ?? 0 ),
					(int) ( $batch['counts']['failed'] ?? 0 )
				)
			)
		);
		if ( $finished ) {
			delete_option( self::OPTION );
		}
	}
}
