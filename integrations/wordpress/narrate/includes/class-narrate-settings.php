<?php
/**
 * The settings page (Settings > Narrate), built on the Settings API, and the one place
 * the plugin reads its settings from.
 *
 * @package Narrate
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Settings: one option, `narrate_settings`, holding every field. The API key and the
 * webhook secret are kept there too but never printed back into the form.
 */
class Narrate_Settings {

	const OPTION = 'narrate_settings';
	const PAGE   = 'narrate';

	/** Fields whose value is a secret: the form shows whether one is saved, never the value. */
	const SECRETS = array( 'api_key', 'webhook_secret' );

	/**
	 * Hooks the page and its fields into WordPress.
	 */
	public static function init() {
		add_action( 'admin_menu', array( __CLASS__, 'add_page' ) );
		add_action( 'admin_init', array( __CLASS__, 'register' ) );
	}

	/**
	 * The defaults of every field.
	 *
	 * @return array
	 */
	public static function defaults() {
		$host = wp_parse_url( home_url(), PHP_URL_HOST );
		return array(
			'url'                => '',
			'api_key'            => '',
			'webhook_secret'     => '',
			'voice'              => '',
			'rate'               => '',
			'style'              => '',
			'theme'              => '',
			'published'          => 'public',
			'drafts'             => 'off',
			'placement'          => 'above',
			'collection'         => self::collection_name( (string) $host ),
		);
	}

	/**
	 * A host name as a Narrate collection name (lower case letters, digits, - and _).
	 *
	 * @param string $name The name to turn into a collection.
	 * @return string
	 */
	public static function collection_name( $name ) {
		$name = strtolower( preg_replace( '/[^A-Za-z0-9_-]+/', '-', $name ) );
		$name = substr( trim( $name, '-_' ), 0, 100 );
		return '' === $name ? 'wordpress' : $name;
	}

	/**
	 * One setting, or all of them.
	 *
	 * @param string|null $key The field, or null for the whole array.
	 * @return mixed
	 */
	public static function get( $key = null ) {
		$values = wp_parse_args( (array) get_option( self::OPTION, array() ), self::defaults() );
		return null === $key ? $values : $values[ $key ];
	}

	/**
	 * Whether the plugin knows where Narrate is and may write to it.
	 *
	 * @return bool
	 */
	public static function configured() {
		return '' !== self::get( 'url' );
	}

	/**
	 * Adds Settings > Narrate.
	 */
	public static function add_page() {
		add_options_page(
			__( 'Narrate', 'narrate' ),
			__( 'Narrate', 'narrate' ),
			'manage_options',
			self::PAGE,
			array( __CLASS__, 'render_page' )
		);
	}

	/**
	 * Registers the option, its sanitize callback, and the fields.
	 */
	public static function register() {
		register_setting(
			self::PAGE,
			self::OPTION,
			array(
				'type'              => 'array',
				'sanitize_callback' => array( __CLASS__, 'sanitize' ),
				'default'           => self::defaults(),
			)
		);
		add_settings_section( 'narrate_service', __( 'Service', 'narrate' ), '__return_false', self::PAGE );
		add_settings_section( 'narrate_audio', __( 'Audio and player', 'narrate' ), '__return_false', self::PAGE );

		$fields = array(
			'url'            => array( 'narrate_service', __( 'Narrate URL', 'narrate' ), 'url' ),
			'api_key'        => array( 'narrate_service', __( 'API key', 'narrate' ), 'secret' ),
			'webhook_secret' => array( 'narrate_service', __( 'Webhook secret', 'narrate' ), 'secret' ),
			'collection'     => array( 'narrate_service', __( 'Collection', 'narrate' ), 'text' ),
			'voice'          => array( 'narrate_audio', __( 'Default voice', 'narrate' ), 'text' ),
			'rate'           => array( 'narrate_audio', __( 'Speaking rate (words a minute)', 'narrate' ), 'number' ),
			'style'          => array( 'narrate_audio', __( 'House style', 'narrate' ), 'select' ),
			'theme'          => array( 'narrate_audio', __( 'Player style', 'narrate' ), 'select' ),
			'published'      => array( 'narrate_audio', __( 'Published posts', 'narrate' ), 'select' ),
			'drafts'         => array( 'narrate_audio', __( 'Drafts', 'narrate' ), 'select' ),
			'placement'      => array( 'narrate_audio', __( 'Player placement', 'narrate' ), 'select' ),
		);
		foreach ( $fields as $key => $field ) {
			add_settings_field(
				'narrate_' . $key,
				$field[1],
				array( __CLASS__, 'render_field' ),
				self::PAGE,
				$field[0],
				array(
					'key'       => $key,
					'kind'      => $field[2],
					'label_for' => 'narrate_' . $key,
				)
			);
		}
	}

	/**
	 * The choices of each select field.
	 *
	 * @return array
	 */
	public static function choices() {
		return array(
			'style'     => array(
				''      => __( 'Narrate decides (the collection\'s, else the voice\'s locale)', 'narrate' ),
				'en-gb' => __( 'British (en-GB): "the fourth of July", "per cent"', 'narrate' ),
				'en-us' => __( 'American (en-US): "July fourth", "percent"', 'narrate' ),
			),
			'theme'     => array(
				''      => __( 'Follow the reader\'s colour scheme', 'narrate' ),
				'light' => __( 'Light', 'narrate' ),
				'dark'  => __( 'Dark', 'narrate' ),
			),
			'published' => array(
				'public'   => __( 'Public: listed and in the podcast feed', 'narrate' ),
				'unlisted' => __( 'Unlisted: playable by whoever has the link', 'narrate' ),
			),
			'drafts'    => array(
				'off'      => __( 'Not sent', 'narrate' ),
				'private'  => __( 'Sent as private (audio ready when published)', 'narrate' ),
				'unlisted' => __( 'Sent as unlisted', 'narrate' ),
			),
			'placement' => array(
				'above'  => __( 'Above the content', 'narrate' ),
				'below'  => __( 'Below the content', 'narrate' ),
				'manual' => __( 'Only where the Narrate block or [narrate] shortcode is placed', 'narrate' ),
			),
		);
	}

	/**
	 * Prints one field.
	 *
	 * @param array $args The field's key and kind.
	 */
	public static function render_field( $args ) {
		$key   = $args['key'];
		$id    = 'narrate_' . $key;
		$name  = self::OPTION . '[' . $key . ']';
		$value = self::get( $key );
		switch ( $args['kind'] ) {
			case 'secret':
				printf(
					'<input type="password" id="%1$s" name="%2$s" value="" class="regular-text" autocomplete="new-password" placeholder="%3$s" />',
					esc_attr( $id ),
					esc_attr( $name ),
					esc_attr( '' === $value ? '' : __( 'saved', 'narrate' ) )
				);
				if ( '' !== $value ) {
					echo '<p class="description">' . esc_html__( 'Saved. Leave empty to keep it; type a new one to replace it.', 'narrate' ) . '</p>';
				}
				break;
			case 'select':
				printf( '<select id="%1$s" name="%2$s">', esc_attr( $id ), esc_attr( $name ) );
				foreach ( self::choices()[ $key ] as $choice => $label ) {
					printf( '<option value="%1$s" %2$s>%3$s</option>', esc_attr( $choice ), selected( $value, $choice, false ), esc_html( $label ) );
				}
				echo '</select>';
				break;
			default:
				$type = 'url' === $args['kind'] ? 'url' : ( 'number' === $args['kind'] ? 'number' : 'text' );
				printf(
					'<input type="%1$s" id="%2$s" name="%3$s" value="%4$s" class="regular-text" />',
					esc_attr( $type ),
					esc_attr( $id ),
					esc_attr( $name ),
					esc_attr( $value )
				);
		}
		if ( 'url' === $key ) {
			echo '<p class="description">' . esc_html__( 'Where your Narrate service answers, for example https://narrate.example', 'narrate' ) . '</p>';
		} elseif ( 'webhook_secret' === $key ) {
			echo '<p class="description">' . esc_html__( 'Narrate\'s NARRATE_WEBHOOK_SECRET: it signs the notices Narrate sends when audio is ready.', 'narrate' ) . '</p>';
		} elseif ( 'voice' === $key ) {
			echo '<p class="description">' . esc_html__( 'Empty: the collection\'s voice, else Narrate\'s default (for example piper:en_US-joe-medium).', 'narrate' ) . '</p>';
		}
	}

	/**
	 * The sanitize callback of the option: keeps a saved secret when its field is sent empty.
	 *
	 * @param mixed $input What the form sent.
	 * @return array
	 */
	public static function sanitize( $input ) {
		$input  = is_array( $input ) ? $input : array();
		$old    = self::get();
		$clean  = self::defaults();
		$clean['url']        = untrailingslashit( esc_url_raw( trim( (string) ( $input['url'] ?? '' ) ), array( 'http', 'https' ) ) );
		$clean['collection'] = self::collection_name( sanitize_text_field( (string) ( $input['collection'] ?? $clean['collection'] ) ) );
		$clean['voice']      = sanitize_text_field( (string) ( $input['voice'] ?? '' ) );
		$rate                = absint( $input['rate'] ?? 0 );
		$clean['rate']       = ( $rate >= 80 && $rate <= 450 ) ? (string) $rate : '';
		foreach ( self::choices() as $key => $choices ) {
			$value         = sanitize_key( (string) ( $input[ $key ] ?? '' ) );
			$clean[ $key ] = array_key_exists( $value, $choices ) ? $value : self::defaults()[ $key ];
		}
		foreach ( self::SECRETS as $key ) {
			// Not sanitize_text_field: it would strip "%xx" and "<" from a secret, which may hold them.
			$sent          = trim( preg_replace( '/[\x00-\x1f\x7f]/', '', (string) ( $input[ $key ] ?? '' ) ) );
			$clean[ $key ] = '' === $sent ? $old[ $key ] : $sent;
		}
		return $clean;
	}

	/**
	 * Prints the page.
	 */
	public static function render_page() {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		echo '<div class="wrap"><h1>' . esc_html( get_admin_page_title() ) . '</h1>';
		echo '<form action="' . esc_url( admin_url( 'options.php' ) ) . '" method="post">';
		settings_fields( self::PAGE );
		do_settings_sections( self::PAGE );
		submit_button();
		echo '</form>';
		printf(
			'<p>%1$s <code>%2$s</code></p></div>',
			esc_html__( 'Narrate sends its notices to', 'narrate' ),
			esc_html( Narrate_Webhook::url() )
		);
	}
}
