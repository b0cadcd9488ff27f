//! The election JSON `fabrique tally` reads: parse then count. Never panics; a counted
//! outcome serialises, and counting the ballots in reverse order gives the same outcome.
#![no_main]

use fabrique_vote::{Election, tally};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    let Ok(election) = Election::from_value(value.clone()) else {
        return;
    };
    let Ok(outcome) = tally(&election) else {
        return;
    };
    serde_json::to_string_pretty(&outcome).expect("the outcome serialises");
    if let Some(serde_json::Value::Array(ballots)) = value.get_mut("ballots") {
        ballots.reverse();
        let reversed = Election::from_value(value).expect("same ballots, other order");
        let again = tally(&reversed).expect("same ballots, other order");
        assert_eq!(
            serde_json::to_value(&outcome).unwrap(),
            serde_json::to_value(&again).unwrap(),
            "the outcome depends on the order of the ballots"
        );
    }
});
