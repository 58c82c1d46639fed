/**
 * The {@code baton} command: {@link io.baton.cli.BatonCli} parses the command line (picocli) and
 * runs one subcommand.
 *
 * <p>Each subcommand is one class that uses only the public API ({@code io.baton}), so what it
 * does is what a user's program could do. Today there is {@code demo}
 * ({@link io.baton.cli.DemoCommand}); the others listed in the design (serve, send, receive,
 * publish, subscribe, call, stats, bench) come with their issues.
 *
 * <p>Output: results go to standard output, failures to standard error with a non-zero exit code.
 * Logging (SLF4J simple) prints warnings and errors only, to standard error.
 */
package io.baton.cli;
