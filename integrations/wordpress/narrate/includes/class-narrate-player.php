<?php
/**
 * The player on a post: the Narrate block, the [narrate] shortcode and the automatic
 * placement above or below the content, all one embed; and Narrate as an oEmbed provider.
 *
 * @package Narrate
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Renders Narrate's embed for a post's article.
 */
class Narrate_Player {

	/**
	 * True while a post is rendered to be sent to Narrate: no player goes into that HTML.
	 *
	 * @var bool
	 */
	public static $suspended = false;

	/**
	 * Hooks the block, the shortcode, the content filter and the oEmbed provider.
	 */
	public static function init() {
		add_action( 'init', array( __CLASS__, 'register' ) );
		add_filter( 'the_content', array( __CLASS__, 'place' ), 20 );
		add_filter( 'script_loader_tag', array( __CLASS__, 'async_embed' ), 10, 2 );
		add_filter( 'http_request_host_is_external', array( __CLASS__, 'trust_narrate_host' ), 10, 3 );
		add_filter( 'http_allowed_safe_ports', array( __CLASS__, 'allow_narrate_port' ), 10, 3 );
	}

	/**
	 * Whether a URL is under the Narrate URL of the settings.
	 *
	 * @param string $url The URL.
	 * @return bool
	 */
	public static function is_narrate_url( $url ) {
		$base = Narrate_Settings::get( 'url' );
		return '' !== $base && 0 === strpos( strtolower( (string) $url ), strtolower( $base ) . '/' );
	}

	/**
	 * Lets WordPress's "safe" requests (the ones oEmbed makes) reach the Narrate URL the
	 * administrator set, when it is on a private network or loopback (WordPress refuses
	 * those hosts by default). Only for URLs under that Narrate URL.
	 *
	 * @param bool   $external Whether WordPress takes the host for external.
	 * @param string $host     The host.
	 * @param string $url      The requested URL.
	 * @return bool
	 */
	public static function trust_narrate_host( $external, $host, $url ) {
		return $external || self::is_narrate_url( $url );
	}

	/**
	 * Lets WordPress's "safe" requests reach the Narrate URL's port when it is not one of
	 * 80, 443 and 8080 (WordPress refuses other ports by default). Only for URLs under that
	 * Narrate URL.
	 *
	 * @param int[]  $ports The ports WordPress allows.
	 * @param string $host  The host.
	 * @param string $url   The requested URL.
	 * @return int[]
	 */
	public static function allow_narrate_port( $ports, $host, $url ) {
		$port = wp_parse_url( Narrate_Settings::get( 'url' ), PHP_URL_PORT );
		if ( $port && is_array( $ports ) && self::is_narrate_url( $url ) ) {
			$ports[] = (int) $port;
		}
		return $ports;
	}

	/**
	 * Registers the block (blocks/player/block.json), the shortcode and the oEmbed provider.
	 */
	public static function register() {
		register_block_type(
			NARRATE_DIR . 'blocks/player',
			array( 'render_callback' => array( __CLASS__, 'render_block' ) )
		);
		add_shortcode( 'narrate', array( __CLASS__, 'render_shortcode' ) );
		$base = Narrate_Settings::get( 'url' );
		if ( '' !== $base ) {
			wp_oembed_add_provider( $base . '/articles/*', $base . '/oembed' );
			wp_oembed_add_provider( $base . '/player/*', $base . '/oembed' );
		}
	}

	/**
	 * The embed for a post's article ('' when it has none, or it may not be shown).
	 *
	 * @param int|null $post_id The post (default: the current one).
	 * @return string
	 */
	public static function embed( $post_id = null ) {
		$post = get_post( $post_id );
		if ( self::$suspended || ! $post || ! Narrate_Settings::configured() ) {
			return '';
		}
		$article = Narrate_Sync::article_id( $post->ID );
		$status  = get_post_meta( $post->ID, '_narrate_status', true );
		if ( '' === $article || 'failed' === $status || 'error' === $status || ! is_post_publicly_viewable( $post ) ) {
			return '';
		}
		$base = Narrate_Settings::get( 'url' );
		wp_enqueue_script( 'narrate-embed', $base . '/embed.js', array(), null, true ); // phpcs:ignore WordPress.WP.EnqueuedResourceParameters.MissingVersion -- embed.js revalidates itself.
		$theme = Narrate_Settings::get( 'theme' );
		return sprintf(
			'<div class="narrate-player" data-narrate-article="%1$s"%2$s style="min-height:130px"></div>',
			esc_attr( $article ),
			'' === $theme ? '' : ' data-narrate-theme="' . esc_attr( $theme ) . '"'
		);
	}

	/**
	 * The block's output.
	 *
	 * @return string
	 */
	public static function render_block() {
		return self::embed();
	}

	/**
	 * The shortcode's output: [narrate], or [narrate post="ID"] for another post's audio.
	 *
	 * @param array|string $atts The shortcode's attributes.
	 * @return string
	 */
	public static function render_shortcode( $atts ) {
		$atts = shortcode_atts( array( 'post' => 0 ), $atts, 'narrate' );
		return self::embed( absint( $atts['post'] ) ? absint( $atts['post'] ) : null );
	}

	/**
	 * Places the player above or below the content of a single post, unless the
	 * settings say manual or the post places it itself.
	 *
	 * @param string $content The post's content.
	 * @return string
	 */
	public static function place( $content ) {
		$placement = Narrate_Settings::get( 'placement' );
		if ( self::$suspended || 'manual' === $placement || ! is_singular() || ! in_the_loop() || ! is_main_query() ) {
			return $content;
		}
		$post = get_post();
		if ( ! $post || ! in_array( $post->post_type, Narrate_Sync::post_types(), true ) ) {
			return $content;
		}
		if ( has_shortcode( $post->post_content, 'narrate' ) || has_block( 'narrate/player', $post ) ) {
			return $content;
		}
		$player = self::embed( $post->ID );
		return 'below' === $placement ? $content . $player : $player . $content;
	}

	/**
	 * Loads embed.js without holding up the page.
	 *
	 * @param string $tag    The script tag.
	 * @param string $handle The script's handle.
	 * @return string
	 */
	public static function async_embed( $tag, $handle ) {
		return 'narrate-embed' === $handle ? str_replace( ' src=', ' async src=', $tag ) : $tag;
	}
}
