/* The Narrate player block in the editor: a placeholder; the page renders the player
   (render_callback in includes/class-narrate-player.php). Plain script, no build step. */
( function ( blocks, element, blockEditor, i18n ) {
	var el = element.createElement;
	blocks.registerBlockType( 'narrate/player', {
		edit: function () {
			return el(
				'div',
				blockEditor.useBlockProps( { className: 'narrate-player-placeholder' } ),
				el( 'p', {}, i18n.__( 'Narrate player: "Listen to this article" appears here once the post is published and its audio is made.', 'narrate' ) )
			);
		},
		save: function () {
			return null;
		},
	} );
} )( window.wp.blocks, window.wp.element, window.wp.blockEditor, window.wp.i18n );
