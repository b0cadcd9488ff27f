//! The `fabrique` command line, run as a user would.

mod documents;
mod process;

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn fabrique(args: &[&str], stdin: &str, dir: &std::path::Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fabrique"))
        .args(args)
        .current_dir(dir)
        .env_remove("FABRIQUE_DATABASE_URL")
        .env("FABRIQUE_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run fabrique");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn migrate_create_user_token_and_backup_on_the_default_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = fabrique(&["migrate"], "", dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        dir.path().join("fabrique-data/fabrique.db").exists(),
        "the default database file"
    );

    let out = fabrique(
        &[
            "admin",
            "create-user",
            "--email",
            "camille@example.org",
            "--name",
            "Camille",
            "--instance-admin",
        ],
        "a long enough password\n",
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("camille@example.org"));

    let out = fabrique(
        &[
            "admin",
            "create-user",
            "--email",
            "camille@example.org",
            "--name",
            "Again",
        ],
        "a long enough password\n",
        dir.path(),
    );
    assert!(!out.status.success(), "the address is taken");
    assert!(String::from_utf8_lossy(&out.stderr).contains("already uses this e-mail"));
    let out = fabrique(
        &[
            "admin",
            "create-user",
            "--email",
            "x@example.org",
            "--name",
            "X",
        ],
        "short\n",
        dir.path(),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("10 characters"));

    let out = fabrique(
        &["admin", "create-token", "--email", "camille@example.org"],
        "",
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(token.starts_with("fab_") && token.len() > 40);
    let out = fabrique(
        &["admin", "create-token", "--email", "nobody@example.org"],
        "",
        dir.path(),
    );
    assert!(!out.status.success());

    let out = fabrique(&["backup", "--to", "copy.db"], "", dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let copy = format!("sqlite://{}", dir.path().join("copy.db").display());
    let out = fabrique(
        &[
            "admin",
            "create-token",
            "--database",
            &copy,
            "--email",
            "camille@example.org",
        ],
        "",
        dir.path(),
    );
    assert!(
        out.status.success(),
        "the backup holds the account: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = fabrique(&["backup", "--to", "copy.db"], "", dir.path());
    assert!(!out.status.success(), "never overwrites");
}

#[test]
fn configuration_file_and_bad_urls() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("fabrique.toml"),
        "database_url = \"sqlite://custom/place.db\"\n",
    )
    .unwrap();
    let out = fabrique(&["migrate", "--config", "fabrique.toml"], "", dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("custom/place.db").exists());
    std::fs::write(dir.path().join("bad.toml"), "databse_url = \"x\"\n").unwrap();
    let out = fabrique(&["migrate", "--config", "bad.toml"], "", dir.path());
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("databse_url"),
        "names the unknown key"
    );
    let out = fabrique(&["migrate", "--database", "mysql://x"], "", dir.path());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("sqlite://PATH or postgres://"));
}

#[test]
fn tally_reads_json_and_reports_bad_input_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let election = r#"{"method": "motion", "rule": {"majority": "qualified", "fraction": "2/3", "base": "expressed"},
        "ballots": [{"choice": "for", "count": 200}, {"choice": "against", "count": 100}]}"#;
    let out = fabrique(&["tally"], election, dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["passed"], true, "200 of 300 is exactly 2/3");

    let out = fabrique(
        &["tally", "--method", "plurality"],
        r#"{"candidates": ["A", "B"], "ballots": [{"choice": "C"}]}"#,
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("ballot 1") && err.contains('C'), "{err}");
}
