//! `flow-conformance`: runs JSONL conformance cases of the flow format against the engine and
//! prints `conformance suite=<suite> passed=<P> total=<T>` per file, then the total.
//!
//! Usage: `flow-conformance [-v] [--only PREFIX] FILE_OR_DIR…` (a directory means its *.jsonl).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod case;
mod compare;
mod definitions;
mod engine_session;
mod expect;
mod mocks;
mod run;
mod runs;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use case::{Case, Outcome};

struct Options {
    verbose: bool,
    only: Option<String>,
    paths: Vec<PathBuf>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options { verbose: false, only: None, paths: Vec::new() };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "-v" | "--verbose" => o.verbose = true,
            "--only" => o.only = Some(args.next().ok_or("--only needs a prefix")?),
            "-h" | "--help" => return Err("usage: flow-conformance [-v] [--only PREFIX] FILE_OR_DIR...".into()),
            _ => o.paths.push(PathBuf::from(a)),
        }
    }
    if o.paths.is_empty() {
        return Err("usage: flow-conformance [-v] [--only PREFIX] FILE_OR_DIR...".into());
    }
    Ok(o)
}

fn files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map(|rd| {
                    rd.filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|f| f.extension().is_some_and(|x| x == "jsonl"))
                        .collect()
                })
                .unwrap_or_default();
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    out
}

#[derive(Default)]
struct Tally {
    passed: usize,
    total: usize,
    refused: BTreeMap<String, usize>,
}

fn run_file(path: &Path, opts: &Options, fixtures: &mut run::Fixtures) -> Result<(String, Tally), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut suite: Option<String> = None;
    let mut tally = Tally::default();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let outcome = match Case::parse(line, &stem) {
            Ok(case) => {
                if suite.is_none() {
                    suite = Some(case.suite.clone());
                }
                if opts.only.as_ref().is_some_and(|p| !case.id.starts_with(p.as_str())) {
                    continue;
                }
                let o = run::run(&case, dir, fixtures);
                if opts.verbose {
                    match &o {
                        Outcome::Fail(why) => {
                            eprintln!("FAIL {} [{}]: {why}", case.id, case.kind);
                            if let Some(c) = &case.compare {
                                eprintln!("  compare: {c}");
                            }
                            if case.raw.get("portable").and_then(serde_json::Value::as_bool) == Some(false) {
                                eprintln!("  portable: false (depends on the reference engine's random generator)");
                            }
                        }
                        Outcome::Refused(need) => eprintln!("REFUSED {} (needs {need})", case.id),
                        Outcome::Pass => {}
                    }
                }
                o
            }
            Err(e) => {
                if opts.verbose {
                    eprintln!("FAIL {}:{}: {e}", path.display(), n + 1);
                }
                Outcome::Fail(e)
            }
        };
        tally.total += 1;
        match outcome {
            Outcome::Pass => tally.passed += 1,
            Outcome::Refused(need) => *tally.refused.entry(need).or_default() += 1,
            Outcome::Fail(_) => {}
        }
    }
    Ok((suite.unwrap_or(stem), tally))
}

fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut fixtures = run::Fixtures::default();
    let (mut passed, mut total) = (0, 0);
    let mut failed_files = false;
    for f in files(&opts.paths) {
        match run_file(&f, &opts, &mut fixtures) {
            Ok((suite, t)) => {
                println!("conformance suite={suite} passed={} total={}", t.passed, t.total);
                if !t.refused.is_empty() {
                    let count: usize = t.refused.values().sum();
                    let needs: Vec<&str> = t.refused.keys().map(String::as_str).collect();
                    println!("refused suite={suite} count={count} needs={}", needs.join(","));
                }
                passed += t.passed;
                total += t.total;
            }
            Err(e) => {
                eprintln!("{e}");
                failed_files = true;
            }
        }
    }
    println!("conformance passed={passed} total={total}");
    if failed_files {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
