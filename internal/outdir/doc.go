// Package outdir is how mdmforge writes a folder of outputs: --out is
// created if missing, locked for the run, and written through an os.Root so
// no path leads out of it through a symbolic link. A build's files are
// staged and published all at once through a journal, so that a crash
// leaves every old file or every new one, and the next run completes an
// interrupted publish. It owns manifest.json too: writing it, removing the
// outputs an earlier build listed that this one no longer writes, and
// comparing a folder with what a build would write (build --check).
// Files holding a secret are created readable by their owner only.
//
// It is internal: it is the CLI's way of writing a folder, not a promise
// to library users, who get the outputs' bytes from package profiles.
package outdir
