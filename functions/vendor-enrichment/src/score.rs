//! Token-level name comparison.
//!
//! Whole-name string similarity is dominated by the words two names share:
//! `Kestrel Ceramics` and `Kestrel Chemicals` look nearly alike as strings, yet they
//! are two companies. Here names are compared word by word instead. Each
//! word has a class (distinctive, industry, country, filler) and a weight
//! that falls with the number of vendors in the master that use it. Words
//! are aligned pairwise, tolerating a few edits in longer words (typos), and
//! a comparison is *complete* only when every word on both sides that is
//! not filler found a partner: a different industry word, a missing
//! country word or an extra distinctive word leaves it incomplete, and an
//! incomplete comparison is never accepted automatically.

use crate::normalize::TokenClass;
use crate::rules::Rules;

/// One word of a normalized name, with its class and weight.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// The word.
    pub text: String,
    /// Its class.
    pub class: TokenClass,
    /// Its weight: the class weight times a rarity factor.
    pub weight: f64,
    /// A word of the vocabulary (a listed word, or one the master uses):
    /// it is what it says, never a typo for another word (`motels` is not
    /// `hotels` misspelt).
    pub known: bool,
}

impl Token {
    /// A word used by `df` vendors of the master.
    pub fn new(text: &str, class: TokenClass, df: usize, rules: &Rules) -> Self {
        Self {
            text: text.to_owned(),
            class,
            weight: weight(class, df, rules),
            known: df > 0 || class != TokenClass::Distinctive,
        }
    }
}

/// The weight of a word of `class` used by `df` vendors: the class weight,
/// divided by `1 + ln(df)` so that a word of one vendor (or of none) weighs
/// most and one shared by hundreds little. An IDF that needs no vendor count,
/// so both stores give the same weights from their own word index.
pub fn weight(class: TokenClass, df: usize, rules: &Rules) -> f64 {
    let w = &rules.matching.class_weights;
    let base = match class {
        TokenClass::Distinctive => w.distinctive,
        TokenClass::Industry => w.industry,
        TokenClass::Country => w.country,
        TokenClass::Filler => return w.filler,
    };
    // usize → f64: document frequencies are far below 2^52.
    #[allow(clippy::cast_precision_loss)]
    let df = df.max(1) as f64;
    base / (1.0 + df.ln())
}

/// The edits two words may differ by and still be the same word: none for
/// words of up to four letters (`Onyx`/`Onyz` may well be two companies),
/// one up to seven letters, two beyond; none when a word holds a digit.
/// Two edits in a distinctive word cost enough score that such a name is
/// not accepted on its own (see the accept bar).
fn allowed_edits(a: &str, b: &str, shorter: usize) -> usize {
    if a.bytes().chain(b.bytes()).any(|c| c.is_ascii_digit()) {
        return 0;
    }
    match shorter {
        0..=4 => 0,
        5..=7 => 1,
        _ => 2,
    }
}

/// How alike two words are: 1 when equal, `1 - edits² / (2 × length)` when
/// they differ by no more than the allowed edits (restricted
/// Damerau–Levenshtein: insertions, deletions, substitutions, adjacent
/// transpositions), `None` when they are different words. Squared, so one
/// slip costs little (`Muellef` 0.93) and two in one word cost a lot
/// (`Northwood`/`Northwind` 0.78): two edits is where another name begins.
pub fn word_similarity(a: &str, b: &str) -> Option<f64> {
    if a == b {
        return Some(1.0);
    }
    let (la, lb) = (a.chars().count(), b.chars().count());
    let allowed = allowed_edits(a, b, la.min(lb));
    if allowed == 0 || la.abs_diff(lb) > allowed {
        return None;
    }
    let edits = strsim::osa_distance(a, b);
    #[allow(clippy::cast_precision_loss)]
    (edits <= allowed).then(|| 1.0 - (edits * edits) as f64 / (2 * la.max(lb)) as f64)
}

/// `holding`/`holdings`: a known word may still be the other's plural.
fn same_but_plural(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    long.len() == short.len() + 1 && long.ends_with('s') && long.starts_with(short)
}

/// The outcome of comparing an invoice name with one master name.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// Weighted share of the two names' words that agree, 0 to 1.
    pub score: f64,
    /// Every word on both sides that is not filler has a partner.
    pub complete: bool,
    /// Every distinctive word of the master name has a partner (or, for a
    /// name of common words only, every word does): worth a person's look.
    pub plausible: bool,
}

/// Compares invoice name `query` with master name `candidate`.
///
/// Words are paired greedily, most similar first; an invoice word pairs
/// with a different master word only when it is not itself a known word (heavier master words
/// first among equals); each word is used once, so order does not matter.
/// The score is the pairs' similarity weighted by the master word's weight
/// (counted for both sides), over the weight of every word of both names
/// that is paired or not filler.
pub fn compare(query: &[Token], candidate: &[Token]) -> Comparison {
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, q) in query.iter().enumerate() {
        for (j, c) in candidate.iter().enumerate() {
            let similarity = if q.text == c.text {
                Some(1.0)
            } else if q.known && !same_but_plural(&q.text, &c.text) {
                None
            } else {
                word_similarity(&q.text, &c.text)
            };
            if let Some(s) = similarity {
                pairs.push((s, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| candidate[b.2].weight.total_cmp(&candidate[a.2].weight))
            .then_with(|| (a.1, a.2).cmp(&(b.1, b.2)))
    });
    let mut q_used = vec![false; query.len()];
    let mut c_used = vec![false; candidate.len()];
    let (mut agreed, mut total) = (0.0, 0.0);
    for (s, i, j) in pairs {
        if q_used[i] || c_used[j] {
            continue;
        }
        q_used[i] = true;
        c_used[j] = true;
        let w = 2.0 * candidate[j].weight;
        agreed += s * w;
        total += w;
    }
    fn unpaired<'t>(tokens: &'t [Token], used: &[bool]) -> Vec<&'t Token> {
        tokens
            .iter()
            .zip(used)
            .filter(|(_, used)| !**used)
            .map(|(t, _)| t)
            .collect()
    }
    let q_left = unpaired(query, &q_used);
    let c_left = unpaired(candidate, &c_used);
    // Filler either side may leave out costs nothing.
    total += q_left
        .iter()
        .chain(&c_left)
        .filter(|t| t.class != TokenClass::Filler)
        .map(|t| t.weight)
        .sum::<f64>();
    let score = if total > 0.0 { agreed / total } else { 0.0 };
    let not_filler = |t: &&Token| t.class != TokenClass::Filler;
    let complete = q_left.iter().chain(&c_left).all(|t| !not_filler(t)) && agreed > 0.0;
    let has_distinctive = candidate.iter().any(|t| t.class == TokenClass::Distinctive);
    let plausible = agreed > 0.0
        && if has_distinctive {
            c_left.iter().all(|t| t.class != TokenClass::Distinctive)
        } else {
            c_left.iter().all(|t| !not_filler(t))
        };
    Comparison {
        score,
        complete,
        plausible,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{name_key, token_class};

    /// Words of a name, as if each were used by `df` master vendors.
    fn tokens(name: &str, df: usize, rules: &Rules) -> Vec<Token> {
        name_key(name, rules)
            .tokens()
            .map(|t| Token::new(t, token_class(t, rules), df, rules))
            .collect()
    }

    fn cmp(q: &str, c: &str) -> Comparison {
        let rules = Rules::embedded().unwrap();
        compare(&tokens(q, 0, &rules), &tokens(c, 3, &rules))
    }

    #[test]
    fn words() {
        assert_eq!(word_similarity("acme", "acme"), Some(1.0));
        assert_eq!(word_similarity("acme", "acne"), None, "short words exactly");
        assert!(word_similarity("tidewatter", "tidewater").unwrap() > 0.89);
        assert!(word_similarity("logistcs", "logistics").is_some());
        assert_eq!(word_similarity("plastics", "logistics"), None);
        assert_eq!(word_similarity("catering", "cleaning"), None);
        assert_eq!(word_similarity("unit24", "unit25"), None, "digits exactly");
        assert!(
            word_similarity("northwnid", "northwind").is_some(),
            "transposition"
        );
    }

    #[test]
    fn a_different_industry_word_is_never_complete() {
        let c = cmp("Kestrel Ceramics Ltd", "Kestrel Chemicals Ltd");
        assert!(!c.complete && c.plausible, "{c:?}");
        let c = cmp("Harrow Motels Inc", "Harrow Hotels Inc");
        assert!(!c.complete, "a known word is not a typo: {c:?}");
        let c = cmp("Marigold Freight", "Juniper Freight");
        assert!(!c.complete && !c.plausible, "{c:?}");
        let c = cmp("Ibadan Freight", "Ibadan Freight Nigeria Limited");
        assert!(!c.complete, "a country word must agree: {c:?}");
    }

    #[test]
    fn typos_order_and_filler_are_tolerated() {
        let c = cmp("Copperlaef Security GmbH", "Copperleaf Security GmbH");
        assert!(c.complete && c.score > 0.9, "{c:?}");
        let c = cmp("Security Copperleaf", "Copperleaf Security GmbH");
        assert!(c.complete && c.score > 0.99, "{c:?}");
        let c = cmp("Old Harbour Cleaning Services", "Old Harbour Cleaning LLC");
        assert!(c.complete, "{c:?}");
    }
}
