//! `fabrique tally`: counts an election described in JSON and prints the outcome as JSON.
//!
//! Exit status 0 with the outcome (pretty JSON) on standard output; 2 with one line on
//! standard error for malformed input (bad JSON with its line and column, unknown
//! candidate, grade or method, a ballot of the wrong shape…), naming the ballot.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use fabrique_vote::{Election, Method, Seed};

/// Arguments of `fabrique tally`.
#[derive(clap::Args, Debug)]
pub struct TallyArgs {
    /// Counting method, overriding the file's (motion, consent, plurality, approval, score,
    /// borda, copeland, schulze, ranked_pairs, irv, stv, majority_judgment).
    #[arg(long)]
    pub method: Option<String>,
    /// Number of seats, overriding the file's.
    #[arg(long)]
    pub seats: Option<u32>,
    /// Tie-break seed, overriding the file's.
    #[arg(long)]
    pub seed: Option<String>,
    /// The election as JSON (standard input when absent or `-`).
    pub file: Option<PathBuf>,
}

fn read_input(file: Option<&PathBuf>) -> Result<String, String> {
    match file {
        Some(path) if path.as_os_str() != "-" => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display())),
        _ => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            Ok(s)
        }
    }
}

fn count(args: &TallyArgs) -> Result<String, String> {
    let text = read_input(args.file.as_ref())?;
    let mut value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("invalid JSON: {e}"))?;
    if let Some(m) = &args.method {
        let method = m.parse::<Method>().map_err(|e| e.to_string())?;
        if let Some(obj) = value.as_object_mut() {
            obj.insert("method".into(), serde_json::Value::from(method.name()));
        }
    }
    let mut election = Election::from_value(value).map_err(|e| e.to_string())?;
    if let Some(s) = args.seats {
        election.seats = s;
    }
    if let Some(s) = &args.seed {
        election.seed = Some(Seed(s.clone()));
    }
    let outcome = fabrique_vote::tally(&election).map_err(|e| e.to_string())?;
    serde_json::to_string_pretty(&outcome).map_err(|e| format!("cannot write the outcome: {e}"))
}

/// Runs `fabrique tally`.
pub fn run(args: TallyArgs) -> ExitCode {
    match count(&args) {
        Ok(json) => {
            let mut out = std::io::stdout().lock();
            if writeln!(out, "{json}").is_err() {
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            let line = message.replace('\n', " ");
            eprintln!("fabrique tally: {line}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> PathBuf {
        let path =
            std::env::temp_dir().join(format!("fabrique-tally-{}-{name}.json", std::process::id()));
        std::fs::write(&path, text).expect("temp file");
        path
    }

    fn args(file: PathBuf) -> TallyArgs {
        TallyArgs {
            method: None,
            seats: None,
            seed: None,
            file: Some(file),
        }
    }

    #[test]
    fn options_override_the_file() {
        let path = write(
            "override",
            r#"{"method": "plurality", "candidates": ["A", "B", "C"], "ballots": [
                {"ranking": ["A", "B"], "count": 3}, {"ranking": ["B", "C"], "count": 2},
                {"ranking": ["C", "B"], "count": 2}]}"#,
        );
        let out: serde_json::Value =
            serde_json::from_str(&count(&args(path.clone())).expect("ok")).expect("json");
        assert_eq!(out["winners"], serde_json::json!(["A"]));
        let mut a = args(path.clone());
        a.method = Some("schulze".into());
        a.seats = Some(2);
        a.seed = Some("s".into());
        let out: serde_json::Value = serde_json::from_str(&count(&a).expect("ok")).expect("json");
        assert_eq!(out["method"], "schulze");
        assert_eq!(out["winners"], serde_json::json!(["B", "C"]));
        std::fs::remove_file(path).ok();
    }

    #[test]
    fn errors_are_one_line() {
        let path = write("bad", "{\n  \"method\": \"motion\",\n  \"ballots\": [\n}");
        let err = count(&args(path.clone())).expect_err("bad JSON");
        assert!(
            err.starts_with("invalid JSON:") && err.contains("line 4 column 1"),
            "{err}"
        );
        std::fs::remove_file(path).ok();
        let path = write(
            "unknown",
            r#"{"method": "irv", "candidates": ["A"], "ballots": [{"ranking": ["A"]}, {"ranking": ["B"]}]}"#,
        );
        let err = count(&args(path.clone())).expect_err("unknown candidate");
        assert_eq!(err, "ballot 2: unknown candidate \"B\"");
        let mut a = args(path.clone());
        a.method = Some("dictatorship".into());
        assert!(
            count(&a)
                .expect_err("method")
                .starts_with("unknown method \"dictatorship\"")
        );
        std::fs::remove_file(path).ok();
        assert!(run(args(PathBuf::from("/nonexistent/election.json"))) == ExitCode::from(2));
    }
}
