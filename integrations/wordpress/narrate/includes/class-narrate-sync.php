<?php
/**
 * Keeps Narrate's article in step with the post: publishing or updating sends it,
 * unpublishing or trashing makes it private, deleting deletes it. Every call to Narrate
 * runs in a scheduled event (WP-Cron), never in the request that saved the post.
 *
 * @package Narrate
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The post-to-article synchronisation.
 */
class Narrate_Sync {

	const SYNC   = 'narrate_sync_post';
	const DELETE = 'narrate_delete_article';

	/** Post meta set while a post that was published is a draft, pending or scheduled again. */
	const UNPUBLISHED = '_narrate_unpublished';

	/**
	 * Hooks the post life cycle and the scheduled events.
	 */
	public static function init() {
		add_action( 'transition_post_status', array( __CLASS__, 'on_transition' ), 10, 3 );
		add_action( 'before_delete_post', array( __CLASS__, 'on_delete' ), 10, 1 );
		add_action( self::SYNC, array( __CLASS__, 'sync' ), 10, 1 );
		add_action( self::DELETE, array( __CLASS__, 'delete_article' ), 10, 1 );
	}

	/**
	 * The post types that are read aloud.
	 *
	 * @return string[]
	 */
	public static function post_types() {
		return (array) apply_filters( 'narrate_post_types', array( 'post' ) );
	}

	/**
	 * The Narrate article id stored on a post ('' if none).
	 *
	 * @param int $post_id The post.
	 * @return string
	 */
	public static function article_id( $post_id ) {
		return (string) get_post_meta( $post_id, '_narrate_article_id', true );
	}

	/**
	 * Schedules a sync when a post changes status (or is saved again with the same one).
	 *
	 * @param string  $new_status The status the post has now.
	 * @param string  $old_status The status it had.
	 * @param WP_Post $post       The post.
	 */
	public static function on_transition( $new_status, $old_status, $post ) {
		if ( ! Narrate_Settings::configured() || ! in_array( $post->post_type, self::post_types(), true ) ) {
			return;
		}
		if ( wp_is_post_revision( $post ) || wp_is_post_autosave( $post ) || 'auto-draft' === $new_status ) {
			return;
		}
		// Remember a post taken down from publication: its audio is private from then on,
		// whatever the drafts setting (see wanted_visibility()).
		if ( 'publish' === $old_status && 'publish' !== $new_status ) {
			update_post_meta( $post->ID, self::UNPUBLISHED, 1 );
		} elseif ( 'publish' === $new_status ) {
			delete_post_meta( $post->ID, self::UNPUBLISHED );
		}
		$relevant = 'publish' === $new_status || 'publish' === $old_status
			|| 'off' !== Narrate_Settings::get( 'drafts' ) || '' !== self::article_id( $post->ID );
		if ( $relevant ) {
			self::schedule( self::SYNC, array( $post->ID ) );
		}
	}

	/**
	 * Schedules the deletion of a deleted post's article (its meta is gone once it runs).
	 *
	 * @param int $post_id The post being deleted.
	 */
	public static function on_delete( $post_id ) {
		$article = self::article_id( $post_id );
		if ( '' !== $article ) {
			self::schedule( self::DELETE, array( $article ) );
		}
	}

	/**
	 * Schedules one event now, unless the same one is waiting already.
	 *
	 * @param string $hook The event.
	 * @param array  $args Its arguments.
	 */
	public static function schedule( $hook, $args ) {
		if ( ! wp_next_scheduled( $hook, $args ) ) {
			wp_schedule_single_event( time(), $hook, $args );
		}
		// Start WP-Cron once this request is done (a non-blocking request to wp-cron.php)
		// rather than on the next visit, unless the site runs cron itself.
		$disabled = defined( 'DISABLE_WP_CRON' ) && DISABLE_WP_CRON;
		if ( ! $disabled && ! has_action( 'shutdown', 'spawn_cron' ) ) {
			add_action( 'shutdown', 'spawn_cron' );
		}
	}

	/**
	 * The visibility the post's article should have now, or null if it should not exist.
	 *
	 * @param WP_Post $post The post.
	 * @return string|null
	 */
	public static function wanted_visibility( $post ) {
		if ( 'publish' === $post->post_status && '' === $post->post_password ) {
			return Narrate_Settings::get( 'published' );
		}
		if ( in_array( $post->post_status, array( 'draft', 'pending', 'future' ), true ) ) {
			$drafts = Narrate_Settings::get( 'drafts' );
			if ( 'off' === $drafts ) {
				return null;
			}
			// Unpublishing never leaves the audio playable by its link ("unlisted" drafts).
			return get_post_meta( $post->ID, self::UNPUBLISHED, true ) ? 'private' : $drafts;
		}
		return null;
	}

	/**
	 * What Narrate is sent for a post: its title, rendered content, permalink and id.
	 *
	 * @param WP_Post $post       The post.
	 * @param string  $visibility The article's visibility.
	 * @return array|null Null when the post has nothing to read.
	 */
	public static function submission( $post, $visibility ) {
		$previous_post = isset( $GLOBALS['post'] ) ? $GLOBALS['post'] : null;
		// Render as the theme would, without this plugin's own player in the content.
		Narrate_Player::$suspended = true;
		$GLOBALS['post']           = $post; // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited
		setup_postdata( $post );
		$html = apply_filters( 'the_content', $post->post_content );
		Narrate_Player::$suspended = false;
		$GLOBALS['post']           = $previous_post; // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited
		if ( $previous_post ) {
			setup_postdata( $previous_post );
		}
		if ( ! preg_match( '/[\p{L}\p{N}]/u', wp_strip_all_tags( $html ) ) ) {
			return null;
		}
		$title = wp_strip_all_tags( html_entity_decode( get_the_title( $post ), ENT_QUOTES, 'UTF-8' ) );
		// Narrate takes an HTML submission's headline from the page itself, so send one.
		$page = sprintf(
			'<!doctype html><html lang="%1$s"><head><meta charset="utf-8"><title>%2$s</title></head><body><article><h1>%2$s</h1>%3$s</article></body></html>',
			esc_attr( get_bloginfo( 'language' ) ),
			esc_html( $title ),
			$html
		);
		$body = array(
			'title'        => $title,
			'html'         => $page,
			'source_url'   => get_permalink( $post ),
			'external_id'  => (string) $post->ID,
			'collection'   => Narrate_Settings::get( 'collection' ),
			'visibility'   => $visibility,
			'callback_url' => Narrate_Webhook::url(),
		);
		if ( '' !== Narrate_Settings::get( 'voice' ) ) {
			$body['voice'] = Narrate_Settings::get( 'voice' );
		}
		if ( '' !== Narrate_Settings::get( 'rate' ) ) {
			$body['rate'] = (int) Narrate_Settings::get( 'rate' );
		}
		if ( '' !== Narrate_Settings::get( 'style' ) ) {
			$body['style'] = Narrate_Settings::get( 'style' );
		}
		return (array) apply_filters( 'narrate_submission', $body, $post );
	}

	/**
	 * The scheduled sync: sends the post, or hides its article.
	 *
	 * @param int $post_id The post.
	 */
	public static function sync( $post_id ) {
		$post = get_post( $post_id );
		if ( ! $post ) {
			return;
		}
		$article    = self::article_id( $post->ID );
		$visibility = self::wanted_visibility( $post );
		if ( null === $visibility ) {
			if ( '' !== $article ) {
				self::set_visibility( $post->ID, $article, 'private' );
			}
			return;
		}
		$body = self::submission( $post, $visibility );
		if ( null === $body ) {
			return;
		}
		self::record( $post->ID, Narrate_Client::request( 'POST', 'articles', $body ), $visibility );
	}

	/**
	 * Stores what Narrate answered a submission with on the post.
	 *
	 * @param int            $post_id    The post.
	 * @param array|WP_Error $answer     Narrate's answer.
	 * @param string         $visibility The visibility the article should have.
	 */
	public static function record( $post_id, $answer, $visibility ) {
		if ( is_wp_error( $answer ) ) {
			update_post_meta( $post_id, '_narrate_status', 'error' );
			update_post_meta( $post_id, '_narrate_error', $answer->get_error_message() );
			return;
		}
		$data = $answer['data'];
		if ( empty( $data['id'] ) ) {
			return;
		}
		update_post_meta( $post_id, '_narrate_article_id', sanitize_text_field( $data['id'] ) );
		update_post_meta( $post_id, '_narrate_status', sanitize_key( $data['status'] ?? 'queued' ) );
		update_post_meta( $post_id, '_narrate_revision', absint( $data['revision'] ?? 1 ) );
		delete_post_meta( $post_id, '_narrate_error' );
		// A revision keeps the article's visibility, so a post published again must say it.
		$has = isset( $data['visibility'] ) ? $data['visibility'] : '';
		if ( $has !== $visibility ) {
			self::set_visibility( $post_id, $data['id'], $visibility );
		} else {
			update_post_meta( $post_id, '_narrate_visibility', $visibility );
		}
	}

	/**
	 * Sets an article's visibility (public, unlisted or private) without new audio.
	 *
	 * @param int    $post_id    The post.
	 * @param string $article    The article's id.
	 * @param string $visibility The visibility.
	 */
	public static function set_visibility( $post_id, $article, $visibility ) {
		$answer = Narrate_Client::request( 'PUT', 'articles/' . rawurlencode( $article ) . '/visibility', array( 'visibility' => $visibility ) );
		if ( is_wp_error( $answer ) ) {
			update_post_meta( $post_id, '_narrate_error', $answer->get_error_message() );
			return;
		}
		update_post_meta( $post_id, '_narrate_visibility', $visibility );
	}

	/**
	 * The scheduled deletion of a deleted post's article.
	 *
	 * @param string $article The article's id.
	 */
	public static function delete_article( $article ) {
		Narrate_Client::request( 'DELETE', 'articles/' . rawurlencode( $article ) );
	}
}
