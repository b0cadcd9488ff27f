//! CAMT.053 statements: never panic; parsed lines are well-formed.
#![no_main]

use fabrique_treasury::bank::{BankFormat, camt};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    fabrique_fuzz::check_statement(data, BankFormat::Camt053, camt::parse);
});
