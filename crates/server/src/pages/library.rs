//! The exercise library, open to everyone: searchable and filterable by
//! family, kit and niggle through plain query parameters (a GET form, so
//! it works without JavaScript), and each movement drawn.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use runcoach_core::exercise_search::Search;
use runcoach_core::exercises::{Equipment, Exercise, Family, find, library};
use runcoach_core::plan::Niggle;
use runcoach_core::plan::niggles::suits;

use super::{Nav, figure, not_found, render};
use crate::auth::MaybeUser;

#[derive(Template)]
#[template(path = "exercises.html")]
struct Index {
    nav: Nav,
    q: String,
    family: String,
    kit: String,
    niggle: String,
    families: Vec<(&'static str, String)>,
    kits: Vec<(&'static str, &'static str)>,
    niggles: Vec<(&'static str, String)>,
    problems: Vec<String>,
    found: usize,
    filtered: bool,
    groups: Vec<(String, Vec<Item>)>,
}

struct Item {
    id: &'static str,
    name: &'static str,
    focus: &'static str,
}

/// "Single-leg control" from "single-leg control": headings start upper case.
pub fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The kit filter: what the runner has at hand.
const KITS: [(&str, &str, &[Equipment]); 4] = [
    ("none", "Nothing", &[]),
    ("band", "A band", &[Equipment::Band]),
    ("bench", "A bench or step", &[Equipment::Bench]),
    (
        "band_bench",
        "A band and a bench",
        &[Equipment::Band, Equipment::Bench],
    ),
];

const NIGGLES: [(&str, Niggle); 4] = [
    ("knee", Niggle::Knee),
    ("itb", Niggle::Itb),
    ("hip_flexor", Niggle::HipFlexor),
    ("low_back", Niggle::LowBack),
];

pub async fn index(user: MaybeUser, Query(q): Query<HashMap<String, String>>) -> Response {
    let get = |k: &str| q.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let (text, family_key, kit_key, niggle_key) =
        (get("q"), get("family"), get("kit"), get("niggle"));
    let mut problems = Vec::new();
    let family = match family_key.as_str() {
        "" => None,
        k => {
            let f = Family::ALL.into_iter().find(|f| f.key() == k);
            if f.is_none() {
                problems.push(format!(
                    "There is no movement family called '{k}'; showing every family."
                ));
            }
            f
        }
    };
    let kit = match kit_key.as_str() {
        "" => None,
        k => {
            let have = KITS
                .iter()
                .find(|(key, _, _)| *key == k)
                .map(|(_, _, h)| *h);
            if have.is_none() {
                problems.push(format!(
                    "'{k}' is not a kit choice; showing movements for any kit."
                ));
            }
            have
        }
    };
    let niggle = match niggle_key.as_str() {
        "" => None,
        k => {
            let n = NIGGLES.iter().find(|(key, _)| *key == k).map(|(_, n)| *n);
            if n.is_none() {
                problems.push(format!(
                    "'{k}' is not a niggle we know; showing movements for any."
                ));
            }
            n
        }
    };
    let search = Search::read(&text);
    let keep = |e: &Exercise| {
        family.is_none_or(|f| e.family == f)
            && kit.is_none_or(|have| e.needs_only(have))
            && niggle.is_none_or(|n| suits(n, e))
            && search.finds(e)
    };
    let groups: Vec<(String, Vec<Item>)> = Family::ALL
        .iter()
        .map(|f| {
            let items: Vec<Item> = library()
                .iter()
                .filter(|e| e.family == *f && keep(e))
                .map(|e| Item {
                    id: &e.id,
                    name: &e.name,
                    focus: &e.focus,
                })
                .collect();
            (f.plain_label().to_owned(), items)
        })
        .filter(|(_, items)| !items.is_empty())
        .collect();
    let mut res = render(&Index {
        nav: Nav::of(&user),
        found: groups.iter().map(|(_, i)| i.len()).sum(),
        filtered: !(text.is_empty() && family.is_none() && kit.is_none() && niggle.is_none()),
        q: text,
        family: family.map_or("", |f| f.key()).to_owned(),
        kit: if kit.is_some() {
            kit_key
        } else {
            String::new()
        },
        niggle: if niggle.is_some() {
            niggle_key
        } else {
            String::new()
        },
        families: Family::ALL
            .iter()
            .map(|f| (f.key(), f.plain_label().to_owned()))
            .collect(),
        kits: KITS.iter().map(|(k, l, _)| (*k, *l)).collect(),
        niggles: NIGGLES
            .iter()
            .map(|(k, n)| (*k, capitalised(n.label())))
            .collect(),
        problems: problems.clone(),
        groups,
    });
    if !problems.is_empty() {
        *res.status_mut() = StatusCode::BAD_REQUEST;
    }
    res
}

#[derive(Template)]
#[template(path = "exercise.html")]
struct Page {
    nav: Nav,
    e: &'static Exercise,
    family: String,
    dose: String,
    rest: String,
    load: String,
    kit: String,
    figure: String,
    moving: String,
}

fn range(r: [u16; 2], unit: &str) -> String {
    if r[0] == r[1] {
        format!("{}{unit}", r[0])
    } else {
        format!("{}–{}{unit}", r[0], r[1])
    }
}

/// "a resistance band, a bench…" or "none".
pub fn kit_words(kit: &[Equipment]) -> String {
    if kit.is_empty() {
        "none".into()
    } else {
        kit.iter()
            .map(|k| k.label())
            .collect::<Vec<_>>()
            .join(" and ")
    }
}

pub async fn exercise(user: MaybeUser, Path(id): Path<String>) -> Response {
    let Some(e) = find(&id) else {
        return not_found(Nav::of(&user));
    };
    let sets = if e.sets[0] == e.sets[1] {
        e.sets[0].to_string()
    } else {
        format!("{}–{}", e.sets[0], e.sets[1])
    };
    let amount = match (e.reps, e.hold_s) {
        (Some(r), _) => range(r, ""),
        (_, Some(h)) => range(h, " s"),
        _ => String::new(),
    };
    let mut kit = kit_words(&e.equipment);
    if !e.optional_equipment.is_empty() {
        kit.push_str(&format!(
            " (optional: {})",
            kit_words(&e.optional_equipment)
        ));
    }
    render(&Page {
        nav: Nav::of(&user),
        e,
        family: e.family.plain_label().to_owned(),
        dose: format!(
            "{sets} sets × {amount}{}",
            if e.per_side { " per side" } else { "" }
        ),
        rest: format!("{} s between sets", e.rest_s()),
        load: format!("{:?}", e.load).to_lowercase(),
        kit,
        figure: figure::positions(e).unwrap_or_default(),
        moving: figure::moving(e).unwrap_or_default(),
    })
}
