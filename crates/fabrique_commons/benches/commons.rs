//! Benchmarks: diffing and merging 1 MB revisions, rendering a 100 KB page.

use criterion::{Criterion, criterion_group, criterion_main};
use fabrique_commons::{Content, diff_content, diff_text, merge, render_markdown};
use std::hint::black_box;

const WORDS: &[&str] = &[
    "le",
    "repair",
    "café",
    "atelier",
    "vélo",
    "école",
    "réparer",
    "ensemble",
    "samedi",
    "salle",
    "bénévoles",
    "quartier",
    "association",
    "coopérative",
    "jardin",
    "partagé",
    "outils",
    "habitants",
    "**gras**",
    "[lien](x)",
];

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
}

/// About `bytes` of Markdown: headings, paragraphs of 40–120 words, lists.
fn document(bytes: usize, seed: u64) -> String {
    let mut r = Lcg(seed);
    let mut s = String::with_capacity(bytes + 1024);
    let mut n = 0;
    while s.len() < bytes {
        n += 1;
        if n % 10 == 0 {
            s.push_str(&format!("## Section {n}\n\n"));
        }
        if n % 7 == 0 {
            for _ in 0..5 {
                s.push_str(&format!(
                    "- {} {}\n",
                    WORDS[r.next() % WORDS.len()],
                    WORDS[r.next() % WORDS.len()]
                ));
            }
            s.push('\n');
        }
        let len = 40 + r.next() % 80;
        for k in 0..len {
            if k > 0 {
                s.push(' ');
            }
            s.push_str(WORDS[r.next() % WORDS.len()]);
        }
        s.push_str(".\n\n");
    }
    s
}

/// Edits about one paragraph in `every`: a word replaced, a sentence added.
fn edit(doc: &str, every: usize, offset: usize) -> String {
    doc.split_inclusive("\n\n")
        .enumerate()
        .map(|(i, p)| {
            if i % every == offset {
                p.replacen("café", "thé", 1)
                    .replacen(".\n\n", ", avec une phrase ajoutée.\n\n", 1)
            } else {
                p.to_string()
            }
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let base = document(1 << 20, 1);
    let target = edit(&base, 50, 3);
    let a = Content::page("Gros document", base.clone());
    let b = Content::page("Gros document", target.clone());
    let mut g = c.benchmark_group("commons");
    g.sample_size(10);
    g.bench_function("diff 1 MB revisions (1 paragraph in 50 edited)", |bench| {
        bench.iter(|| black_box(diff_content(black_box(&a), black_box(&b))))
    });
    let single_a = base.replace("\n\n", " ");
    let single_b = edit(&base, 50, 3).replace("\n\n", " ");
    g.bench_function("diff 1 MB single paragraph, word level", |bench| {
        bench.iter(|| black_box(diff_text(black_box(&single_a), black_box(&single_b))))
    });
    let ours = Content::page("Gros document", edit(&base, 50, 3));
    let theirs = Content::page("Gros document", edit(&base, 50, 27));
    g.bench_function("three-way merge of 1 MB documents", |bench| {
        bench.iter(|| {
            let m = merge(black_box(&a), black_box(&ours), black_box(&theirs));
            assert!(m.is_clean());
            black_box(m)
        })
    });
    let other = Content::page("Gros document", document(1 << 20, 99));
    g.bench_function("diff 1 MB unrelated revisions (time-budgeted)", |bench| {
        bench.iter(|| black_box(diff_content(black_box(&a), black_box(&other))))
    });
    let other2 = Content::page("Gros document", document(1 << 20, 98));
    g.bench_function(
        "three-way merge of 1 MB unrelated documents (conflict)",
        |bench| {
            bench.iter(|| black_box(merge(black_box(&a), black_box(&other), black_box(&other2))))
        },
    );
    let revisions: Vec<fabrique_commons::RevisionRecord> = (0..10_000u64)
        .map(|i| {
            let mut c = fabrique_commons::Content::page(
                format!("Document {}", i % 1000),
                document(2 * 1024, i),
            );
            c.tags = vec!["bench".into()];
            fabrique_commons::RevisionRecord {
                slug: format!("document-{}", i % 1000),
                author_name: "Louise".into(),
                author_email: "louise@example.org".into(),
                time: jiff::Timestamp::from_second(1_700_000_000 + i as i64).unwrap(),
                message: format!("Révision {i}"),
                content: c,
                meta: fabrique_commons::Meta::default(),
            }
        })
        .collect();
    g.bench_function(
        "fast-import stream of 10,000 revisions of 1,000 documents",
        |bench| {
            bench.iter(|| {
                let mut w =
                    fabrique_commons::FastImportWriter::new(std::io::sink(), "refs/heads/main");
                for r in &revisions {
                    w.push(r).unwrap();
                }
                w.finish().unwrap()
            })
        },
    );
    let page = document(100 * 1024, 7);
    g.bench_function("render 100 KB Markdown page", |bench| {
        bench.iter(|| black_box(render_markdown(black_box(&page))))
    });
    g.finish();
}

criterion_group!(commons, benches);
criterion_main!(commons);
