<?php
/**
 * The editor script's dependencies (what a build step would generate; there is none).
 *
 * @package Narrate
 */

return array(
	'dependencies' => array( 'wp-blocks', 'wp-element', 'wp-block-editor', 'wp-i18n' ),
	'version'      => '1.0.0',
);
