<?php
/**
 * Removes the plugin's options and post meta when it is deleted from the Plugins screen.
 *
 * @package Narrate
 */

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

delete_option( 'narrate_settings' );
delete_option( 'narrate_backfill' );
delete_post_meta_by_key( '_narrate_article_id' );
delete_post_meta_by_key( '_narrate_status' );
delete_post_meta_by_key( '_narrate_duration_ms' );
delete_post_meta_by_key( '_narrate_revision' );
delete_post_meta_by_key( '_narrate_visibility' );
delete_post_meta_by_key( '_narrate_error' );
delete_post_meta_by_key( '_narrate_unpublished' );
