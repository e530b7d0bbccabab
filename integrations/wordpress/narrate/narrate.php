<?php
/**
 * Plugin Name:       Narrate
 * Plugin URI:        https://github.com/narrate/narrate
 * Description:       Listen to this article: sends your posts to a Narrate service, which reads them aloud, and puts its player on each post.
 * Version:           1.0.0
 * Requires at least: 6.1
 * Requires PHP:      7.4
 * Author:            The Narrate developers
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       narrate
 *
 * @package Narrate
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

define( 'NARRATE_VERSION', '1.0.0' );
define( 'NARRATE_DIR', plugin_dir_path( __FILE__ ) );

require_once NARRATE_DIR . 'includes/class-narrate-settings.php';
require_once NARRATE_DIR . 'includes/class-narrate-client.php';
require_once NARRATE_DIR . 'includes/class-narrate-sync.php';
require_once NARRATE_DIR . 'includes/class-narrate-webhook.php';
require_once NARRATE_DIR . 'includes/class-narrate-player.php';
require_once NARRATE_DIR . 'includes/class-narrate-admin.php';
require_once NARRATE_DIR . 'includes/class-narrate-backfill.php';

Narrate_Settings::init();
Narrate_Sync::init();
Narrate_Webhook::init();
Narrate_Player::init();
Narrate_Admin::init();
Narrate_Backfill::init();
