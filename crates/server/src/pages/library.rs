//! The exercise library, open to everyone.

use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use runcoach_core::exercises::{Exercise, Family, find, library};

use super::{Nav, not_found, render};
use crate::auth::MaybeUser;

#[derive(Template)]
#[template(path = "exercises.html")]
struct Index {
    nav: Nav,
    groups: Vec<(&'static str, Vec<Item>)>,
}

struct Item {
    id: &'static str,
    name: &'static str,
    focus: &'static str,
}

const ORDER: [Family; 7] = [
    Family::Abductors,
    Family::Extensors,
    Family::SingleLeg,
    Family::Adductors,
    Family::HipFlexors,
    Family::Core,
    Family::Mobility,
];

pub async fn index(user: MaybeUser) -> Response {
    let groups = ORDER
        .iter()
        .map(|f| {
            let items = library()
                .iter()
                .filter(|e| e.family == *f)
                .map(|e| Item {
                    id: &e.id,
                    name: &e.name,
                    focus: &e.focus,
                })
                .collect();
            (f.label(), items)
        })
        .collect();
    render(&Index {
        nav: Nav::of(&user),
        groups,
    })
}

#[derive(Template)]
#[template(path = "exercise.html")]
struct Page {
    nav: Nav,
    e: &'static Exercise,
    dose: String,
    load: String,
    kit: String,
}

fn range(r: [u16; 2], unit: &str) -> String {
    if r[0] == r[1] {
        format!("{}{unit}", r[0])
    } else {
        format!("{}–{}{unit}", r[0], r[1])
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
    let kit: Vec<String> = e
        .equipment
        .iter()
        .map(|k| format!("{k:?}").to_lowercase())
        .collect();
    render(&Page {
        nav: Nav::of(&user),
        e,
        dose: format!(
            "{sets} sets × {amount}{}",
            if e.per_side { " per side" } else { "" }
        ),
        load: format!("{:?}", e.load).to_lowercase(),
        kit: if kit.is_empty() {
            "none".into()
        } else {
            kit.join(", ")
        },
    })
}
