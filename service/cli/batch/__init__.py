"""`narrate batch`: convert many articles to MP3s, in parallel, resumably.

Inputs are .txt/.html/.htm files, given directly or found (recursively, sorted) in the
directories given. Each becomes OUT/<name>.mp3 with <name>.timings.json and <name>.vtt,
where <name> is the path relative to the directory given, "/" turned into "__" and the
suffix dropped.

Two ways to convert:

* in-process (default): N worker processes, each a fresh interpreter started with
  `python -m service.cli.batch --worker` that creates its own Pyttsx3Synthesizer on its
  first article. Plain subprocesses rather than a ProcessPoolExecutor, because then the
  parent knows which article each worker holds: a worker that dies fails only that
  article and is replaced (a dead pool worker breaks every pending future), and a
  worker whose parent is killed notices (EOF on stdin, a changed parent pid) and exits
  instead of lingering. Workers run in their own session so a terminal's Ctrl-C reaches
  only the parent, which stops them with SIGTERM; that unwinds `atomic_output`, so no
  temporary files are left behind.
* `--server URL`: threads POST each file to URL/api/v1/articles, poll it, and download
  the audio, timings and captions.

Resume: OUT/.narrate-batch.json records, per output name, the SHA-256 of the source and
the options it was converted with; it is rewritten atomically after every success, and a
rerun skips what it lists whose outputs still exist.
"""
