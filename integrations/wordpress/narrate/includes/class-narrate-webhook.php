<?php
/**
 * The REST route Narrate's webhooks arrive at: POST /wp-json/narrate/v1/webhook.
 *
 * @package Narrate
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Verifies a delivery's signature and records the article's state on its post.
 */
class Narrate_Webhook {

	/**
	 * Registers the route.
	 */
	public static function init() {
		add_action( 'rest_api_init', array( __CLASS__, 'register' ) );
	}

	/**
	 * The address Narrate is given as callback_url.
	 *
	 * @return string
	 */
	public static function url() {
		return rest_url( 'narrate/v1/webhook' );
	}

	/**
	 * Registers POST narrate/v1/webhook.
	 */
	public static function register() {
		register_rest_route(
			'narrate/v1',
			'/webhook',
			array(
				'methods'             => 'POST',
				'callback'            => array( __CLASS__, 'receive' ),
				'permission_callback' => array( __CLASS__, 'signed' ),
			)
		);
	}

	/**
	 * Whether the raw body carries Narrate's signature: X-Narrate-Signature is
	 * "sha256=" and the hex HMAC-SHA256 of the body with the webhook secret.
	 *
	 * @param WP_REST_Request $request The delivery.
	 * @return true|WP_Error
	 */
	public static function signed( $request ) {
		$secret = Narrate_Settings::get( 'webhook_secret' );
		$sent   = (string) $request->get_header( 'x_narrate_signature' );
		if ( '' === $secret ) {
			return new WP_Error( 'narrate_no_secret', __( 'Set the webhook secret in Settings > Narrate.', 'narrate' ), array( 'status' => 401 ) );
		}
		$expected = 'sha256=' . hash_hmac( 'sha256', $request->get_body(), $secret );
		if ( ! hash_equals( $expected, $sent ) ) {
			return new WP_Error( 'narrate_bad_signature', __( 'The X-Narrate-Signature header does not match the body.', 'narrate' ), array( 'status' => 401 ) );
		}
		return true;
	}

	/**
	 * Records an article's (or a backfill batch's) news.
	 *
	 * @param WP_REST_Request $request The delivery.
	 * @return WP_REST_Response
	 */
	public static function receive( $request ) {
		$payload = json_decode( $request->get_body(), true );
		$article = is_array( $payload ) && isset( $payload['article'] ) && is_array( $payload['article'] ) ? $payload['article'] : null;
		if ( null === $article || empty( $article['id'] ) ) {
			return new WP_REST_Response( array( 'recorded' => 0 ), 200 );
		}
		$posts = get_posts(
			array(
				'post_type'      => 'any',
				'post_status'    => 'any',
				'posts_per_page' => 1,
				'fields'         => 'ids',
				'meta_key'       => '_narrate_article_id', // phpcs:ignore WordPress.DB.SlowDBQuery.slow_db_query_meta_key
				'meta_value'     => sanitize_text_field( $article['id'] ), // phpcs:ignore WordPress.DB.SlowDBQuery.slow_db_query_meta_value
			)
		);
		foreach ( $posts as $post_id ) {
			$revision = absint( $article['revision'] ?? 0 );
			// A late delivery of an older revision does not undo a newer one's news.
			if ( $revision < absint( get_post_meta( $post_id, '_narrate_revision', true ) ) ) {
				continue;
			}
			update_post_meta( $post_id, '_narrate_revision', $revision );
			update_post_meta( $post_id, '_narrate_status', sanitize_key( $article['status'] ?? '' ) );
			update_post_meta( $post_id, '_narrate_duration_ms', absint( $article['duration_ms'] ?? 0 ) );
			if ( ! empty( $article['error'] ) ) {
				update_post_meta( $post_id, '_narrate_error', sanitize_text_field( $article['error'] ) );
			} else {
				delete_post_meta( $post_id, '_narrate_error' );
			}
		}
		return new WP_REST_Response( array( 'recorded' => count( $posts ) ), 200 );
	}
}
