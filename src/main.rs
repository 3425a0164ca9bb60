//! `ketenpoort`: parse the command line, start telemetry, hand over to `cli::run`.

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

// glibc's allocator spent about a tenth of an exchange's time under load (many threads, many
// short-lived buffers); mimalloc takes a few MiB more and gave 8–10% more exchanges a second.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    // ring is the one TLS crypto provider (see STACK-NOTES: two providers make rustls panic).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = ketenpoort::cli::Cli::parse();
    // Logs go to stderr and never carry personal data (see DESIGN.md, "Personal data").
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("KETENPOORT_LOG").unwrap_or_else(|_| EnvFilter::new(cli.default_log_level())),
        )
        .with_writer(std::io::stderr)
        // Colours for a person at a terminal; a log file or collector gets plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match ketenpoort::cli::run(cli).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
