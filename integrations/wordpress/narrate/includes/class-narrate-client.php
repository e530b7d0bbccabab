<?php
/**
 * Narrate's HTTP API, through the WordPress HTTP API.
 *
 * @package Narrate
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * One request to Narrate's API: JSON in, JSON out, the API key as a bearer token.
 */
class Narrate_Client {

	/**
	 * Sends a request to `/api/v1/$path`.
	 *
	 * @param string     $method GET, POST, PUT or DELETE.
	 * @param string     $path   The path under /api/v1/.
	 * @param array|null $body   The JSON body, if any.
	 * @return array|WP_Error The status code and the decoded answer, or what went wrong.
	 */
	public static function request( $method, $path, $body = null ) {
		$base = Narrate_Settings::get( 'url' );
		if ( '' === $base ) {
			return new WP_Error( 'narrate_unconfigured', __( 'Narrate URL is not set (Settings > Narrate).', 'narrate' ) );
		}
		$headers = array( 'Accept' => 'application/json' );
		$key     = Narrate_Settings::get( 'api_key' );
		if ( '' !== $key ) {
			$headers['Authorization'] = 'Bearer ' . $key;
		}
		$args = array(
			'method'  => $method,
			'timeout' => 20,
			'headers' => $headers,
		);
		if ( null !== $body ) {
			$args['headers']['Content-Type'] = 'application/json';
			$args['body']                    = wp_json_encode( $body );
		}
		$response = wp_remote_request( $base . '/api/v1/' . ltrim( $path, '/' ), $args );
		if ( is_wp_error( $response ) ) {
			return $response;
		}
		$code = (int) wp_remote_retrieve_response_code( $response );
		$data = json_decode( wp_remote_retrieve_body( $response ), true );
		if ( $code >= 400 ) {
			$detail = is_array( $data ) && isset( $data['detail'] ) ? $data['detail'] : wp_remote_retrieve_response_message( $response );
			/* translators: 1: HTTP status code, 2: Narrate's explanation. */
			return new WP_Error( 'narrate_http_' . $code, sprintf( __( 'Narrate answered %1$d: %2$s', 'narrate' ), $code, $detail ), array( 'status' => $code ) );
		}
		return array(
			'code' => $code,
			'data' => is_array( $data ) ? $data : array(),
		);
	}
}
