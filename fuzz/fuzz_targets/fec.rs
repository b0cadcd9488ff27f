//! FEC import: never panics; every imported entry has two lines or more and balances.
#![no_main]

use fabrique_treasury::chart::Chart;
use fabrique_treasury::fec;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let chart = Chart::associations();
    let Ok(imported) = fec::import(data, &chart) else {
        return;
    };
    for entry in &imported.entries {
        assert!(
            entry.lines.len() >= 2,
            "entry with fewer than two lines: {entry:?}"
        );
        assert!(entry.is_balanced(), "unbalanced entry: {entry:?}");
        assert!(entry.total() > 0, "entry of no amount: {entry:?}");
    }
});
