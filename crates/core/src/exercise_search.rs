//! What a runner types in the exercise library's search box, read the way
//! they mean it: "runner's knee" or "IT band" asks for the movements that
//! help that niggle (not every movement whose text says "knee" or "band"),
//! and "glutes" finds "Glute Bridges" as well as "glute" does.

use crate::exercises::{Exercise, Family};
use crate::plan::Niggle;
use crate::plan::niggles::suits;

/// A search as read: the niggle it names (if any) and the words left over,
/// each reduced to a stem that matches its singular and plural.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pub niggle: Option<Niggle>,
    pub words: Vec<String>,
}

/// How runners name the niggles, longest first so "runners knee" is read
/// before "knee". Words already normalised (lower case, no apostrophes).
const NIGGLE_NAMES: [(&[&str], Niggle); 14] = [
    (&["runners", "knee"], Niggle::Knee),
    (&["knee", "pain"], Niggle::Knee),
    (&["patellofemoral"], Niggle::Knee),
    (&["knee"], Niggle::Knee),
    (&["iliotibial", "band"], Niggle::Itb),
    (&["it", "band"], Niggle::Itb),
    (&["itband"], Niggle::Itb),
    (&["itb"], Niggle::Itb),
    (&["hip", "flexor"], Niggle::HipFlexor),
    (&["hip", "flexors"], Niggle::HipFlexor),
    (&["lower", "back"], Niggle::LowBack),
    (&["low", "back"], Niggle::LowBack),
    (&["back", "pain"], Niggle::LowBack),
    (&["back"], Niggle::LowBack),
];

impl Search {
    pub fn read(query: &str) -> Search {
        let mut words: Vec<String> = query
            .to_lowercase()
            .replace(['\'', '’'], "")
            .split(|c: char| !c.is_alphanumeric() && c != '-')
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        let mut niggle = None;
        for (name, n) in NIGGLE_NAMES {
            if let Some(at) = words.windows(name.len()).position(|w| w == name) {
                words.drain(at..at + name.len());
                niggle = Some(n);
                break;
            }
        }
        Search {
            niggle,
            words: words.iter().map(|w| stem(w)).collect(),
        }
    }

    /// Every word in the movement's name, focus, family or kit, and the
    /// movement one that helps the niggle named. The how-to steps are left
    /// out: nearly all of them mention knees, hips or a band.
    pub fn finds(&self, e: &Exercise) -> bool {
        let families = std::iter::once(e.family)
            .chain(e.also.iter().copied())
            .map(Family::label)
            .collect::<Vec<_>>()
            .join(" ");
        let kit = e
            .equipment
            .iter()
            .chain(&e.optional_equipment)
            .map(|k| k.label())
            .collect::<Vec<_>>()
            .join(" ");
        let hay = format!("{} {} {families} {kit}", e.name, e.focus).to_lowercase();
        self.niggle.is_none_or(|n| suits(n, e)) && self.words.iter().all(|w| hay.contains(w))
    }
}

/// "glutes" → "glute", "bridges" → "bridg", "abductors" → "abductor": a
/// stem both the singular and the plural contain.
fn stem(word: &str) -> String {
    let w = word.strip_suffix("es").filter(|w| w.len() >= 4);
    let w = w.or_else(|| word.strip_suffix('s').filter(|w| w.len() >= 3));
    w.unwrap_or(word).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercises::library;

    fn found(q: &str) -> Vec<&'static str> {
        let s = Search::read(q);
        library()
            .iter()
            .filter(|e| s.finds(e))
            .map(|e| e.id.as_str())
            .collect()
    }

    #[test]
    fn plural_and_singular_find_the_same_movements() {
        assert_eq!(found("glutes"), found("glute"));
        assert!(found("glutes").contains(&"single_leg_glute_bridge"));
        assert_eq!(found("bridges"), found("bridge"));
    }

    #[test]
    fn a_niggle_by_its_everyday_name_finds_what_helps_it() {
        let knee = found("runner's knee");
        assert!(!knee.is_empty());
        assert_eq!(knee, found("knee"));
        assert_eq!(knee, found("Runners Knee"));
        let helps: Vec<&str> = library()
            .iter()
            .filter(|e| suits(Niggle::Knee, e))
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(knee, helps);
        assert!(knee.len() < library().len() / 2, "{knee:?}");
    }

    #[test]
    fn it_band_is_the_niggle_not_the_resistance_band() {
        let s = Search::read("IT band");
        assert_eq!(s.niggle, Some(Niggle::Itb));
        assert!(s.words.is_empty());
        assert_eq!(found("it band"), found("ITB"));
        assert!(found("band").len() > found("it band").len() / 2);
    }

    #[test]
    fn words_beside_a_niggle_narrow_it() {
        let s = Search::read("knee band");
        assert_eq!(s.niggle, Some(Niggle::Knee));
        assert_eq!(s.words, ["band"]);
        let both = found("knee band");
        assert!(!both.is_empty());
        assert!(both.iter().all(|id| found("knee").contains(id)));
        assert!(both.len() < found("knee").len());
    }

    #[test]
    fn nothing_typed_finds_everything() {
        assert_eq!(found("").len(), library().len());
        assert_eq!(found("  '  ").len(), library().len());
    }
}
