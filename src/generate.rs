//! Shell completions and man pages, generated from the clap definitions so
//! they can never disagree with the binary. Committed under `completions/`
//! and `man/`; a test regenerates them in memory and fails when they are stale.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::exit::Code;
use crate::output::Ctx;

/// Arguments of the hidden `tlskit generate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory that receives `completions/` and `man/`.
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub out_dir: PathBuf,
}

/// Every generated file: its path relative to the repository root, and its contents.
pub fn files() -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut cmd = Cli::command();
    cmd.build();
    for (shell, name) in [
        (Shell::Bash, "tlskit.bash"),
        (Shell::Zsh, "_tlskit"),
        (Shell::Fish, "tlskit.fish"),
        (Shell::PowerShell, "_tlskit.ps1"),
        (Shell::Elvish, "tlskit.elv"),
    ] {
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut cmd.clone(), "tlskit", &mut buf);
        out.push((Path::new("completions").join(name), buf));
    }
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut buf)
        .context("rendering man page")?;
    out.push((PathBuf::from("man/tlskit.1"), buf));
    pages(&cmd, "tlskit", &mut out)?;
    Ok(out)
}

/// A page for each visible subcommand of `cmd` (named `PREFIX-SUB`), and for
/// theirs in turn: `tlskit-tunnel-server(1)` as well as `tlskit-tunnel(1)`,
/// as each parent page's SUBCOMMANDS section promises.
fn pages(cmd: &clap::Command, prefix: &str, out: &mut Vec<(PathBuf, Vec<u8>)>) -> Result<()> {
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let name = format!("{prefix}-{}", sub.get_name());
        let page = sub
            .clone()
            .name(name.clone())
            .display_name(name.clone())
            .bin_name(name.clone());
        let mut buf = Vec::new();
        clap_mangen::Man::new(page)
            .render(&mut buf)
            .context("rendering man page")?;
        out.push((PathBuf::from(format!("man/{name}.1")), buf));
        pages(sub, &name, out)?;
    }
    Ok(())
}

/// Writes every generated file under `dir`.
pub fn write_all(dir: &Path) -> Result<()> {
    for (rel, contents) in files()? {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating '{}'", parent.display()))?;
        }
        crate::atomic::write_file(&path, &contents, crate::atomic::PUBLIC, true)?;
    }
    Ok(())
}

/// Runs `tlskit generate`.
pub fn run(args: Args, _ctx: &Ctx) -> Result<Code> {
    write_all(&args.out_dir)?;
    Ok(Code::Success)
}
