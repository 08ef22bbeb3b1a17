//! Each candidate's layout of the copy: question order within each section and option order,
//! drawn from the exam's salt and the 准考证号 (ChaCha8 seeded by SHA-256), so it is the same at
//! every login and after any restart, and recorded by the salt in the exam's log. A `fixed_order`
//! item keeps its options as printed; 判断 has none to shuffle.

use crate::document::TheoryPaper;
use crate::model::ItemType;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

/// Where a candidate sees each question and option.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// Per section, the copy's question numbers in the order this candidate sees them.
    pub sections: Vec<Vec<u32>>,
    /// Per copy question number, for each letter the candidate sees, the copy's option index.
    pub options: std::collections::BTreeMap<u32, Vec<usize>>,
}

impl Layout {
    /// The layout of `ticket` under `salt`, with shuffling of questions and options as configured.
    pub fn draw(
        paper: &TheoryPaper,
        salt: &[u8],
        ticket: &str,
        questions: bool,
        options: bool,
    ) -> Layout {
        let mut h = Sha256::new();
        h.update(b"qbank-exam-layout/1\0");
        h.update(salt);
        h.update([0]);
        h.update(ticket.as_bytes());
        let mut rng = ChaCha8Rng::from_seed(h.finalize().into());
        let mut sections = Vec::new();
        let mut opts = std::collections::BTreeMap::new();
        for sec in &paper.sections {
            let mut ns: Vec<u32> = sec.items.iter().map(|i| i.n).collect();
            if questions {
                ns.shuffle(&mut rng);
            }
            sections.push(ns);
            for item in &sec.items {
                let mut o: Vec<usize> = (0..item.options.len()).collect();
                if options && item.item_type != ItemType::Judge && !item.fixed_order {
                    o.shuffle(&mut rng);
                }
                opts.insert(item.n, o);
            }
        }
        Layout {
            sections,
            options: opts,
        }
    }

    /// The copy's option index behind letter `shown` of question `q`.
    pub fn copy_option(&self, q: u32, shown: usize) -> Option<usize> {
        self.options.get(&q)?.get(shown).copied()
    }

    /// The letter the candidate sees for the copy's option `copy` of question `q`.
    pub fn shown_option(&self, q: u32, copy: usize) -> Option<usize> {
        self.options.get(&q)?.iter().position(|&c| c == copy)
    }
}
