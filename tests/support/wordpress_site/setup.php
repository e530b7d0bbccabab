<?php
/**
 * Installs the test site from the command line (php setup.php ADMIN_PASSWORD EDITOR_PASSWORD):
 * the tables, an administrator and an editor, the plain theme, the Narrate plugin active.
 *
 * @package NarrateTests
 */

define( 'WP_INSTALLING', true );
require __DIR__ . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

wp_install( 'Narrate test site', 'admin', 'admin@example.com', false, '', $argv[1] );
$editor = wp_insert_user(
	array(
		'user_login' => 'editor',
		'user_pass'  => $argv[2],
		'user_email' => 'editor@example.com',
		'role'       => 'editor',
	)
);
update_user_meta( 1, 'show_welcome_panel', 0 );
// The block editor's welcome guide would cover the editor on first use.
foreach ( array( 1, $editor ) as $user_id ) {
	update_user_meta(
		$user_id,
		$wpdb->get_blog_prefix() . 'persisted_preferences',
		array(
			'core/edit-post' => array( 'welcomeGuide' => false ),
			'_modified'      => gmdate( 'c' ),
		)
	);
}
switch_theme( 'plain' );
$activated = activate_plugin( 'narrate/narrate.php' );
if ( is_wp_error( $activated ) ) {
	fwrite( STDERR, $activated->get_error_message() . "\n" );
	exit( 1 );
}
echo "installed\n";
