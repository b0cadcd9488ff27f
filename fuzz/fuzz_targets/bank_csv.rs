//! CSV statements with a column mapping: the first bytes choose the mapping (separator,
//! skipped rows, columns, date format, decimal mark), the rest is the file. Never panics;
//! parsed lines are well-formed.
#![no_main]

use fabrique_treasury::bank::{AmountColumns, CsvMapping, csv};
use libfuzzer_sys::fuzz_target;

const SEPARATORS: [char; 6] = [';', ',', '\t', '|', ' ', 'é'];
const DATE_FORMATS: [&str; 8] = [
    "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%y", "%m/%d/%Y", "%Y%m%d", "%d %B %Y", "%", "%Q%Y",
];

fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_first_chunk::<8>() else {
        return;
    };
    let mut file = rest;
    let date_format = if head[3] & 0x80 != 0 {
        // The format is the first line of the rest (a mapping typed by a treasurer).
        let end = file.iter().position(|&b| b == b'\n').unwrap_or(file.len());
        let format = String::from_utf8_lossy(&file[..end]).into_owned();
        file = &file[(end + 1).min(file.len())..];
        format
    } else {
        DATE_FORMATS[usize::from(head[3]) % DATE_FORMATS.len()].to_string()
    };
    let col = |b: u8| usize::from(b % 8);
    let mapping = CsvMapping {
        separator: SEPARATORS[usize::from(head[0]) % SEPARATORS.len()],
        skip_rows: usize::from(head[1] % 4),
        date_column: col(head[2]),
        date_format,
        amount: if head[4] & 1 == 0 {
            AmountColumns::Single {
                column: col(head[4] >> 1),
            }
        } else {
            AmountColumns::DebitCredit {
                debit: col(head[4] >> 1),
                credit: col(head[4] >> 4),
            }
        },
        label_columns: (0..8).filter(|c| head[5] & (1 << c) != 0).collect(),
        reference_column: (head[6] & 0x08 != 0).then(|| col(head[6])),
        id_column: (head[6] & 0x80 != 0).then(|| col(head[6] >> 4)),
        decimal_comma: head[7] & 1 == 0,
    };
    if let Ok(lines) = csv::parse(file, &mapping) {
        fabrique_fuzz::assert_well_formed(&lines);
    }
});
