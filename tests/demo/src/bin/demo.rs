//! `make demo`: the whole toolkit, locally, end to end. Stops everything it
//! started on success, on failure and on Ctrl-C.

use std::process::ExitCode;
use std::time::Instant;

use std::sync::atomic::Ordering;

use actionkit_demo::{INTERRUPTED, Stage, Step, Target, mcp_steps, run, schemas};

fn print_step(n: usize, step: &Step) {
    let mark = if step.ok { "✓" } else { "✗ UNEXPECTED" };
    println!("\n  [{n}] {} {mark}", step.title);
    println!("      asked:    {}", step.asked);
    println!(
        "      answered: {}  ({} ms)",
        step.answer,
        step.elapsed.as_millis()
    );
}

async fn scenario(target: Target) -> bool {
    let started = Instant::now();
    println!(
        "actionkit demo — three Lambda functions, a Bedrock-style agent session and an invoice workflow,"
    );
    if target == Target::Aws {
        println!(
            "on your AWS account (DEMO_TARGET=aws), through the local Lambda Runtime API emulator.\n"
        );
    } else {
        println!(
            "all local: a moto server for AWS, the Lambda Runtime API emulator for Lambda. No AWS account.\n"
        );
    }
    println!("Setting up:");
    let stage = Stage::start(target, &mut |line| println!("  · {line}")).await;
    let mut section = "";
    let mut n = 0;
    let steps = run(&stage, &mut |step| {
        if step.section != section {
            section = step.section;
            println!("\n== {section} ==");
        }
        n += 1;
        print_step(n, step);
    })
    .await;
    if INTERRUPTED.load(Ordering::SeqCst) {
        stage.teardown(&mut |line| println!("  · {line}")).await;
        drop(stage);
        return false;
    }
    let mut steps = steps;
    for step in tokio::task::block_in_place(|| mcp_steps(&stage)) {
        if step.section != section {
            section = step.section;
            println!("\n== {section} ==");
        }
        n += 1;
        print_step(n, &step);
        steps.push(step);
    }
    println!("\n== Generated OpenAPI schemas (Bedrock profile) ==");
    let schema_results = schemas();
    for (file, ops, result) in &schema_results {
        match result {
            Ok(()) => println!(
                "  ✓ {file}: {ops} operations, regenerated from the code and identical, OpenAPI 3.0.0, Bedrock profile clean"
            ),
            Err(e) => println!("  ✗ {file}: {e}"),
        }
    }
    let failed: Vec<&Step> = steps.iter().filter(|s| !s.ok).collect();
    let schemas_ok = schema_results.iter().all(|(_, _, r)| r.is_ok());
    println!("\n== Summary ==");
    println!(
        "  {} steps through the Runtime API emulator, {} as expected; {} schemas checked; {:.1} s in all",
        steps.len(),
        steps.len() - failed.len(),
        schema_results.len(),
        started.elapsed().as_secs_f64()
    );
    for s in &failed {
        println!("  ✗ {}: {}", s.title, s.answer);
    }
    stage.teardown(&mut |line| println!("  · {line}")).await;
    let stopped = if stage.moto.is_some() {
        "moto and cargo lambda watch stopped."
    } else {
        "cargo lambda watch stopped."
    };
    drop(stage);
    println!("  {stopped}");
    failed.is_empty() && schemas_ok
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    // The stand-ins run in their own process groups, so Ctrl-C reaches only
    // this process (and the `cargo lambda invoke` in flight): catch it,
    // stop the scenario, and let the guards stop moto and the emulator.
    let target = match Target::from_env() {
        Ok(target) => target,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut task = tokio::spawn(scenario(target));
    tokio::select! {
        done = &mut task => match done {
            Ok(true) => ExitCode::SUCCESS,
            _ => ExitCode::FAILURE,
        },
        _ = tokio::signal::ctrl_c() => {
            println!("\ninterrupted: stopping moto and cargo lambda watch");
            // Stop after the call in flight; dropping the stage stops the servers.
            INTERRUPTED.store(true, Ordering::SeqCst);
            let _ = tokio::time::timeout(std::time::Duration::from_secs(30), &mut task).await;
            task.abort();
            println!("stopped.");
            ExitCode::from(130)
        }
    }
}
