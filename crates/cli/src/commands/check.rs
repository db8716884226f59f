use std::path::PathBuf;

use runcoach_core::guardrails::check;
use runcoach_core::plan::Plan;

use crate::Failure;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A plan in runcoach's JSON schema (`runcoach plan --format json`).
    plan: PathBuf,
    /// Print the findings as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let path = args.plan.display();
    let text = std::fs::read_to_string(&args.plan)
        .map_err(|e| Failure::Usage(format!("cannot read plan file {path}: {e}")))?;
    let plan: Plan = serde_json::from_str(&text)
        .map_err(|e| Failure::Usage(format!("{path} is not a runcoach plan: {e}")))?;
    if plan.weeks.is_empty() {
        return Err(Failure::Usage(format!("{path} has no weeks")));
    }
    let found = check(&plan);
    if args.json {
        super::print_json(&found);
    } else if found.is_empty() {
        super::emit(&format!(
            "{path}: plan passes all guardrails ({} weeks)\n",
            plan.weeks.len()
        ));
    } else {
        let mut text: String = found.iter().map(|v| format!("{v}\n")).collect();
        text.push_str(&format!("{} guardrail violation(s)\n", found.len()));
        super::emit(&text);
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(Failure::Found)
    }
}
