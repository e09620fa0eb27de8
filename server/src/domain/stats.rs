//! The expected time to a decision for a package, from how long its past requests waited.

use chrono::TimeDelta;
use portal_api::{DecisionTime, MIN_DECISION_SAMPLE};

/// Median and 90th percentile (nearest rank) of `waits`, in hours to one decimal; only the
/// sample size when there are fewer than `MIN_DECISION_SAMPLE` of them.
pub fn decision_time(mut waits: Vec<TimeDelta>) -> DecisionTime {
    let sample_size = u32::try_from(waits.len()).unwrap_or(u32::MAX);
    if sample_size < MIN_DECISION_SAMPLE {
        return DecisionTime {
            sample_size,
            median_hours: None,
            p90_hours: None,
        };
    }
    waits.sort_unstable();
    let n = waits.len();
    let median = if n % 2 == 1 {
        hours(waits[n / 2])
    } else {
        (hours(waits[n / 2 - 1]) + hours(waits[n / 2])) / 2.0
    };
    // Nearest rank: the smallest wait that at least 90% of the waits do not exceed.
    let rank = (n * 9).div_ceil(10).max(1);
    DecisionTime {
        sample_size,
        median_hours: Some(one_decimal(median)),
        p90_hours: Some(one_decimal(hours(waits[rank - 1]))),
    }
}

fn hours(wait: TimeDelta) -> f64 {
    wait.num_seconds().max(0) as f64 / 3600.0
}

fn one_decimal(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn in_hours(values: &[i64]) -> Vec<TimeDelta> {
        values.iter().map(|h| TimeDelta::hours(*h)).collect()
    }

    #[test]
    fn too_little_history_gives_no_figures() {
        let time = decision_time(in_hours(&[1, 2, 3, 4]));
        assert_eq!(time.sample_size, 4);
        assert_eq!((time.median_hours, time.p90_hours), (None, None));
    }

    #[test]
    fn five_waits_give_their_median_and_ninetieth_percentile() {
        let time = decision_time(in_hours(&[5, 1, 3, 2, 4]));
        assert_eq!(time.median_hours, Some(3.0));
        assert_eq!(time.p90_hours, Some(5.0));
    }

    #[test]
    fn an_even_count_averages_the_middle_two_and_the_tail_is_by_nearest_rank() {
        let mut waits = in_hours(&[1, 2, 3, 4, 5, 6, 7, 8, 9]);
        waits.push(TimeDelta::minutes(6000));
        let time = decision_time(waits);
        assert_eq!(time.median_hours, Some(5.5));
        assert_eq!(time.p90_hours, Some(9.0));
    }
}
