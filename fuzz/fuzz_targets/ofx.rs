//! OFX statements (1.x SGML and 2.x XML): never panic; parsed lines are well-formed.
#![no_main]

use fabrique_treasury::bank::{BankFormat, ofx};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    fabrique_fuzz::check_statement(data, BankFormat::Ofx, ofx::parse);
});
