<?php
/**
 * The only template: the loop, with wp_head() and wp_footer() so plugins' scripts load.
 *
 * @package NarrateTestPlain
 */

?><!doctype html>
<html <?php language_attributes(); ?>>
<head><meta charset="<?php bloginfo( 'charset' ); ?>"><?php wp_head(); ?></head>
<body>
<main>
<?php
while ( have_posts() ) {
	the_post();
	echo '<article>';
	the_title( '<h1>', '</h1>' );
	the_content();
	echo '</article>';
}
?>
</main>
<?php wp_footer(); ?>
</body>
</html>
