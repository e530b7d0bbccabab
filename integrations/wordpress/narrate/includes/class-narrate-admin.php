<?php
/**
 * The posts list: an Audio column and a "Regenerate audio" row action.
 *
 * @package Narrate
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Admin screens for posts.
 */
class Narrate_Admin {

	const REGENERATE = 'narrate_regenerate';

	/**
	 * Hooks the column, the row action and its handler.
	 */
	public static function init() {
		foreach ( Narrate_Sync::post_types() as $type ) {
			add_filter( "manage_{$type}_posts_columns", array( __CLASS__, 'columns' ) );
			add_action( "manage_{$type}_posts_custom_column", array( __CLASS__, 'column' ), 10, 2 );
		}
		add_filter( 'post_row_actions', array( __CLASS__, 'row_actions' ), 10, 2 );
		add_action( 'admin_post_' . self::REGENERATE, array( __CLASS__, 'regenerate' ) );
		add_action( 'admin_notices', array( __CLASS__, 'notice' ) );
	}

	/**
	 * Adds the Audio column.
	 *
	 * @param array $columns The list's columns.
	 * @return array
	 */
	public static function columns( $columns ) {
		$columns['narrate'] = __( 'Audio', 'narrate' );
		return $columns;
	}

	/**
	 * A post's audio: its status and, once made, its length.
	 *
	 * @param string $column  The column.
	 * @param int    $post_id The post.
	 */
	public static function column( $column, $post_id ) {
		if ( 'narrate' !== $column ) {
			return;
		}
		$status = (string) get_post_meta( $post_id, '_narrate_status', true );
		if ( '' === $status ) {
			echo '<span aria-hidden="true">&#8212;</span><span class="screen-reader-text">' . esc_html__( 'No audio', 'narrate' ) . '</span>';
			return;
		}
		$labels = array(
			'cleaning'   => __( 'Queued', 'narrate' ),
			'queued'     => __( 'Queued', 'narrate' ),
			'processing' => __( 'Being made', 'narrate' ),
			'done'       => __( 'Ready', 'narrate' ),
			'failed'     => __( 'Failed', 'narrate' ),
			'error'      => __( 'Not sent', 'narrate' ),
		);
		$label = isset( $labels[ $status ] ) ? $labels[ $status ] : $status;
		printf( '<span class="narrate-status narrate-status-%1$s">%2$s</span>', esc_attr( $status ), esc_html( $label ) );
		$duration = absint( get_post_meta( $post_id, '_narrate_duration_ms', true ) );
		if ( 'done' === $status && $duration ) {
			$seconds = (int) round( $duration / 1000 );
			printf( ' <span class="narrate-duration">%s</span>', esc_html( sprintf( '%d:%02d', intdiv( $seconds, 60 ), $seconds % 60 ) ) );
		}
		$error = (string) get_post_meta( $post_id, '_narrate_error', true );
		if ( '' !== $error ) {
			printf( '<br /><small>%s</small>', esc_html( $error ) );
		}
	}

	/**
	 * Adds "Regenerate audio" under a published post's title.
	 *
	 * @param array   $actions The row's actions.
	 * @param WP_Post $post    The post.
	 * @return array
	 */
	public static function row_actions( $actions, $post ) {
		if ( ! in_array( $post->post_type, Narrate_Sync::post_types(), true ) || ! current_user_can( 'edit_post', $post->ID ) ) {
			return $actions;
		}
		if ( 'publish' !== $post->post_status || ! Narrate_Settings::configured() ) {
			return $actions;
		}
		$url = wp_nonce_url(
			add_query_arg(
				array(
					'action' => self::REGENERATE,
					'post'   => $post->ID,
				),
				admin_url( 'admin-post.php' )
			),
			self::REGENERATE . '_' . $post->ID
		);
		$actions['narrate_regenerate'] = sprintf( '<a href="%1$s">%2$s</a>', esc_url( $url ), esc_html__( 'Regenerate audio', 'narrate' ) );
		return $actions;
	}

	/**
	 * The row action's handler: checks the nonce and the capability, schedules the work.
	 */
	public static function regenerate() {
		$post_id = isset( $_GET['post'] ) ? absint( $_GET['post'] ) : 0;
		check_admin_referer( self::REGENERATE . '_' . $post_id );
		if ( ! current_user_can( 'edit_post', $post_id ) ) {
			wp_die( esc_html__( 'You may not edit this post.', 'narrate' ), 403 );
		}
		// The post as it is now: Narrate makes a new revision if its text changed (say, by an
		// import that bypassed the editor) or if the last attempt failed; else it keeps the audio.
		Narrate_Sync::schedule( Narrate_Sync::SYNC, array( $post_id ) );
		wp_safe_redirect( add_query_arg( 'narrate_regenerated', 1, admin_url( 'edit.php?post_type=' . get_post_type( $post_id ) ) ) );
		exit;
	}

	/**
	 * Says the regeneration was asked for, and that the plugin needs setting up.
	 */
	public static function notice() {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- only chooses a message.
		if ( isset( $_GET['narrate_regenerated'] ) ) {
			echo '<div class="notice notice-success is-dismissible"><p>' . esc_html__( 'The post will be sent to Narrate again in a moment: changed or failed audio is made again.', 'narrate' ) . '</p></div>';
		}
		if ( ! Narrate_Settings::configured() && current_user_can( 'manage_options' ) ) {
			printf(
				'<div class="notice notice-warning"><p>%1$s <a href="%2$s">%3$s</a></p></div>',
				esc_html__( 'Narrate needs the address of your Narrate service.', 'narrate' ),
				esc_url( admin_url( 'options-general.php?page=' . Narrate_Settings::PAGE ) ),
				esc_html__( 'Settings', 'narrate' )
			);
		}
	}
}
