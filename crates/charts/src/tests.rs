//! The SVG read back as XML: accessibility, ids, escaping, bar sizes against the values,
//! suppressed values, and that nothing in it is unsafe under the pages' CSP or not a number.

use std::collections::HashSet;

use crate::*;

const SVG_NAMESPACE: &str = "http://www.w3.org/2000/svg";

fn parse(svg: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{svg}"))
}

fn has_class(node: &roxmltree::Node<'_, '_>, class: &str) -> bool {
    node.attribute("class").is_some_and(|c| c.split(' ').any(|part| part == class))
}

fn with_class<'a>(doc: &'a roxmltree::Document<'a>, class: &str) -> Vec<roxmltree::Node<'a, 'a>> {
    doc.descendants().filter(|n| has_class(n, class)).collect()
}

fn number(node: roxmltree::Node<'_, '_>, attribute: &str) -> f64 {
    node.attribute(attribute).unwrap().parse().unwrap()
}

fn tooltip(node: roxmltree::Node<'_, '_>) -> String {
    node.children().find(|n| n.has_tag_name("title")).and_then(|n| n.text()).unwrap().to_owned()
}

/// Known bars (not suppressed), in document order: category by category, series within.
fn known_bars<'a>(doc: &'a roxmltree::Document<'a>) -> Vec<roxmltree::Node<'a, 'a>> {
    with_class(doc, "sp-chart-bar").into_iter().filter(|n| !has_class(n, "sp-chart-suppressed")).collect()
}

fn series(name: &str, values: &[Option<u64>]) -> Series {
    Series { name: name.to_owned(), values: values.to_vec() }
}

fn months(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{}-{:02}", 2020 + i / 12, i % 12 + 1)).collect()
}

fn chart<'a>(id: &'a str, categories: Vec<String>, series: Vec<Series>, stacked: bool) -> BarChart<'a> {
    BarChart {
        id,
        title: "Calls by month",
        description: "Calls to the hotline each month; the numbers are in the table below.",
        categories,
        series,
        stacked,
        suppressed_label: "suppressed",
    }
}

/// Everything every chart must be, whatever its input.
fn check_invariants(svg: &str, id: &str) {
    let doc = parse(svg);
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.tag_name().namespace(), Some(SVG_NAMESPACE));
    assert_eq!(root.attribute("role"), Some("img"));
    assert_eq!(root.attribute("width"), Some("100%"));
    let labelled_by = format!("{id}-title {id}-desc");
    assert_eq!(root.attribute("aria-labelledby"), Some(labelled_by.as_str()));
    let title = root.children().find(|n| n.is_element()).unwrap();
    assert!(title.has_tag_name("title"), "the first child is the title");
    assert_eq!(title.attribute("id"), Some(format!("{id}-title").as_str()));
    let desc = root.children().filter(|n| n.is_element()).nth(1).unwrap();
    assert!(desc.has_tag_name("desc"));
    assert_eq!(desc.attribute("id"), Some(format!("{id}-desc").as_str()));

    let viewbox: Vec<f64> = root.attribute("viewBox").unwrap().split(' ').map(|v| v.parse().unwrap()).collect();
    assert_eq!(viewbox.len(), 4);
    assert!(viewbox.iter().all(|v| v.is_finite()) && viewbox[2] == 640.0 && viewbox[3] > 0.0);

    let mut ids = HashSet::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        assert_ne!(node.tag_name().name(), "script");
        assert_ne!(node.tag_name().name(), "foreignObject");
        assert_ne!(node.tag_name().name(), "image");
        for attribute in node.attributes() {
            let name = attribute.name();
            assert_ne!(name, "style", "the CSP forbids inline styles");
            assert!(!name.starts_with("on"), "an event handler: {name}");
            assert!(name != "href", "a link or reference: {}", attribute.value());
            if attribute.value().contains("url(") {
                assert!(attribute.value().starts_with(&format!("url(#{id}-")), "{}", attribute.value());
            }
            if name == "id" {
                assert!(attribute.value().starts_with(&format!("{id}-")), "{}", attribute.value());
                assert!(ids.insert(attribute.value().to_owned()), "duplicate id {}", attribute.value());
            }
            if ["x", "y", "width", "height"].contains(&name) && node != root {
                let v: f64 = attribute.value().parse().unwrap();
                assert!((-1.0..=10_000.0).contains(&v), "{name}={v}");
            }
        }
    }
    // Every url(#…) names an element of this chart.
    for node in doc.descendants() {
        for attribute in node.attributes() {
            if let Some(target) = attribute.value().strip_prefix("url(#").and_then(|v| v.strip_suffix(')')) {
                assert!(ids.contains(target), "url to a missing id {target}");
            }
        }
    }
    for bad in ["NaN", "inf", "style=", "<script", "javascript:"] {
        assert!(!svg.contains(bad), "{bad} in the output");
    }
}

#[test]
fn a_grouped_chart_is_well_formed_accessible_and_has_a_legend() {
    let c = chart(
        "calls",
        months(3),
        vec![series("Звонки", &[Some(10), Some(20), Some(5)]), series("Дзвінки", &[Some(3), Some(0), Some(7)])],
        false,
    );
    let svg = bar_chart(&c);
    check_invariants(&svg, "calls");
    let doc = parse(&svg);
    assert_eq!(known_bars(&doc).len(), 6);
    let legend: Vec<&str> = with_class(&doc, "sp-chart-legend")[0]
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(legend, ["Звонки", "Дзвінки"]);
    // The second series is told apart by a pattern, not colour alone.
    let fills: Vec<&str> = known_bars(&doc).iter().map(|n| n.attribute("fill").unwrap()).collect();
    assert!(fills[0].starts_with('#') && fills[1] == "url(#calls-s1)", "{fills:?}");
    assert_eq!(tooltip(known_bars(&doc)[0]), "2020-01, Звонки: 10");
    assert_eq!(with_class(&doc, "sp-chart-categories")[0].children().count(), 3);
}

#[test]
fn one_series_has_no_legend_and_plain_tooltips() {
    let svg = bar_chart(&chart("one", months(2), vec![series("Calls", &[Some(4), Some(1_234_567)])], false));
    check_invariants(&svg, "one");
    let doc = parse(&svg);
    assert!(with_class(&doc, "sp-chart-legend").is_empty());
    assert_eq!(tooltip(known_bars(&doc)[1]), "2020-02: 1\u{202f}234\u{202f}567");
}

#[test]
fn bar_heights_are_proportional_to_values_and_ticks_are_round() {
    let values = [Some(7), Some(14), Some(1), Some(0), Some(28)];
    let svg = bar_chart(&chart("p", months(5), vec![series("Calls", &values)], false));
    check_invariants(&svg, "p");
    let doc = parse(&svg);
    let bars = known_bars(&doc);
    let heights: Vec<f64> = bars.iter().map(|b| number(*b, "height")).collect();
    let per_unit = heights[4] / 28.0;
    for (height, value) in heights.iter().zip(values) {
        assert!((height - value.unwrap() as f64 * per_unit).abs() < 0.02, "{heights:?}");
    }
    // All bars stand on the same baseline.
    let bottoms: Vec<f64> = bars.iter().map(|b| number(*b, "y") + number(*b, "height")).collect();
    assert!(bottoms.iter().all(|b| (b - bottoms[0]).abs() < 0.02), "{bottoms:?}");
    // Ticks 0, 10, 20, 30: round, and the top one reaches the largest bar.
    let ticks: Vec<u64> = with_class(&doc, "sp-chart-ticks")[0]
        .children()
        .filter_map(|n| n.text())
        .map(|t| t.replace('\u{202f}', "").parse().unwrap())
        .collect();
    assert_eq!(ticks, [0, 10, 20, 30]);
    // The axis top is 30: the largest bar is 28/30 of the gridline span.
    let tick_ys: Vec<f64> = with_class(&doc, "sp-chart-ticks")[0].children().map(|n| number(n, "y")).collect();
    let span = tick_ys[0] - tick_ys[3];
    assert!((heights[4] - span * 28.0 / 30.0).abs() < 0.05, "{heights:?} {span}");
}

#[test]
fn tick_values_are_one_two_or_five_times_a_power_of_ten() {
    for max in [1u64, 3, 9, 11, 99, 101, 777, 12_345, 987_654_321] {
        let svg = bar_chart(&chart("t", months(1), vec![series("a", &[Some(max)])], false));
        let doc = parse(&svg);
        let ticks: Vec<u64> = with_class(&doc, "sp-chart-ticks")[0]
            .children()
            .filter_map(|n| n.text())
            .map(|t| t.replace('\u{202f}', "").parse().unwrap())
            .collect();
        assert_eq!(ticks[0], 0);
        assert!(ticks.len() <= 6 && *ticks.last().unwrap() >= max, "{max}: {ticks:?}");
        let mut step = ticks[1];
        while step.is_multiple_of(10) {
            step /= 10;
        }
        assert!(matches!(step, 1 | 2 | 5), "{max}: {ticks:?}");
        assert!(ticks.windows(2).all(|w| w[1] - w[0] == ticks[1]), "{ticks:?}");
    }
}

#[test]
fn stacked_bars_add_up_to_their_totals() {
    let a = [Some(5), Some(10), Some(0)];
    let b = [Some(15), Some(2), Some(8)];
    let c = [Some(20), Some(3), Some(1)];
    let svg = bar_chart(&chart("s", months(3), vec![series("a", &a), series("b", &b), series("c", &c)], true));
    check_invariants(&svg, "s");
    let doc = parse(&svg);
    let bars = known_bars(&doc);
    assert_eq!(bars.len(), 9);
    let totals = [40.0, 15.0, 9.0];
    let per_unit = bars[..3].iter().map(|b| number(*b, "height")).sum::<f64>() / totals[0];
    for (category, stack) in bars.chunks(3).enumerate() {
        let height: f64 = stack.iter().map(|b| number(*b, "height")).sum();
        assert!((height - totals[category] * per_unit).abs() < 0.05, "{category}: {height}");
        // One column: same x, and each segment sits right on the one below.
        assert!(stack.iter().all(|b| number(*b, "x") == number(stack[0], "x")));
        for pair in stack.windows(2) {
            assert!((number(pair[0], "y") - (number(pair[1], "y") + number(pair[1], "height"))).abs() < 0.02);
        }
    }
    // The tallest stack (40) sets the axis: ticks 0, 10, … 40.
    let last_tick = with_class(&doc, "sp-chart-ticks")[0].children().filter_map(|n| n.text()).next_back().unwrap();
    assert_eq!(last_tick, "40");
}

#[test]
fn suppressed_values_are_hatched_stubs_not_zero_bars() {
    let svg = bar_chart(&chart(
        "sup",
        months(3),
        vec![series("a", &[Some(100), None, Some(0)]), series("b", &[None, Some(50)])],
        false,
    ));
    check_invariants(&svg, "sup");
    let doc = parse(&svg);
    let suppressed = with_class(&doc, "sp-chart-suppressed");
    // b's missing third value counts as suppressed too.
    assert_eq!(suppressed.len(), 3);
    for stub in &suppressed {
        assert_eq!(stub.attribute("fill"), Some("url(#sup-suppressed)"));
        assert!(number(*stub, "height") > 5.0, "a stub is seen");
        assert!(tooltip(*stub).ends_with(": suppressed"), "{}", tooltip(*stub));
    }
    assert_eq!(tooltip(suppressed[0]), "2020-01, b: suppressed");
    // The zero is a known bar of height zero, unlike a suppressed value.
    let zero = known_bars(&doc).into_iter().find(|b| tooltip(*b) == "2020-03, a: 0").unwrap();
    assert_eq!(number(zero, "height"), 0.0);
    assert_ne!(zero.attribute("fill"), Some("url(#sup-suppressed)"));
    // The legend explains the hatching in words.
    let legend: Vec<&str> = with_class(&doc, "sp-chart-legend")[0]
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(legend, ["a", "b", "suppressed"]);
}

#[test]
fn suppressed_parts_of_a_stack_sit_on_top_of_the_known_ones() {
    let svg = bar_chart(&chart(
        "st",
        months(2),
        vec![series("a", &[Some(30), None]), series("b", &[None, None]), series("c", &[Some(10), Some(40)])],
        true,
    ));
    check_invariants(&svg, "st");
    let doc = parse(&svg);
    let known = known_bars(&doc);
    let stubs = with_class(&doc, "sp-chart-suppressed");
    assert_eq!((known.len(), stubs.len()), (3, 3));
    // Category 1: a (30) then c (10) known, b's stub on top of them.
    let known_top = number(known[1], "y");
    assert!((number(stubs[0], "y") + number(stubs[0], "height") - known_top).abs() < 0.02);
    assert!(number(stubs[0], "height") > 0.0);
    // Category 2: two stubs stacked above c's 40, which is the tallest, both still inside the picture.
    assert!(number(stubs[2], "y") >= 0.0 && number(stubs[1], "height") > 0.0);
}

#[test]
fn hostile_text_is_escaped() {
    let hostile = r#"<script>alert("x")</script> & 'q'"#;
    let c = BarChart {
        id: "x\" onload=\"alert(1)",
        title: hostile,
        description: hostile,
        categories: vec![hostile.to_owned(), "ok".to_owned()],
        series: vec![series(hostile, &[Some(1), None]), series("b\u{0}\u{1b}", &[Some(2), Some(3)])],
        stacked: false,
        suppressed_label: "<b>&nbsp;",
    };
    let svg = bar_chart(&c);
    check_invariants(&svg, "x--onload--alert-1-");
    let doc = parse(&svg);
    assert_eq!(doc.descendants().find(|n| n.has_tag_name("title")).unwrap().text(), Some(hostile));
    assert!(doc.descendants().any(|n| n.text() == Some("<b>&nbsp;")));
    assert!(doc.descendants().any(|n| n.text() == Some("b")), "control characters are dropped");
    assert!(svg.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;"));
    let s = share_bars(&Shares {
        id: "9 lives",
        title: hostile,
        description: hostile,
        items: vec![(hostile.to_owned(), Some(1)), ("a".to_owned(), None)],
        suppressed_label: "\"'<>&",
    });
    check_invariants(&s, "chart-9-lives");
    assert!(parse(&s).descendants().any(|n| n.text() == Some("\"'<>&")));
}

#[test]
fn edge_inputs_draw_without_odd_numbers() {
    let huge = u64::MAX / 2;
    let cases: Vec<(Vec<String>, Vec<Series>)> = vec![
        (vec![], vec![]),
        (months(3), vec![]),
        (vec![], vec![series("a", &[])]),
        (months(4), vec![series("a", &[Some(0); 4]), series("b", &[Some(0); 4])]),
        (months(4), vec![series("a", &[None; 4]), series("b", &[])]),
        (months(1), vec![series("a", &[Some(5)])]),
        (months(400), vec![series("a", &(0..400).map(|i| Some(i * 37 % 101)).collect::<Vec<_>>())]),
        (
            months(3),
            vec![series("a", &[Some(huge), Some(1), Some(huge)]), series("b", &[Some(huge), None, Some(u64::MAX)])],
        ),
        (months(2), (0..20).map(|i| series(&format!("series number {i}"), &[Some(i), None])).collect()),
    ];
    for (i, (categories, series)) in cases.into_iter().enumerate() {
        for stacked in [false, true] {
            let id = format!("edge{i}");
            let c = chart(&id, categories.clone(), series.clone(), stacked);
            let svg = bar_chart(&c);
            check_invariants(&svg, &id);
            assert_eq!(svg, bar_chart(&c), "deterministic");
        }
    }
    let shares_cases: Vec<Vec<(String, Option<u64>)>> = vec![
        vec![],
        vec![("a".to_owned(), Some(0)), ("b".to_owned(), Some(0))],
        vec![("a".to_owned(), None), ("b".to_owned(), None)],
        vec![("a".to_owned(), Some(huge)), ("b".to_owned(), Some(u64::MAX)), ("c".to_owned(), Some(1))],
        (0..300).map(|i| (format!("item {i}"), Some(i))).collect(),
    ];
    for (i, items) in shares_cases.into_iter().enumerate() {
        let id = format!("shares{i}");
        let s = Shares { id: &id, title: "t", description: "d", items, suppressed_label: "—" };
        check_invariants(&share_bars(&s), &id);
        assert_eq!(share_bars(&s), share_bars(&s));
    }
}

#[test]
fn many_categories_are_labelled_sparsely_and_the_newest_always() {
    let svg = bar_chart(&chart("many", months(400), vec![series("a", &[Some(1); 400])], false));
    let doc = parse(&svg);
    let labels: Vec<&str> = with_class(&doc, "sp-chart-categories")[0].children().filter_map(|n| n.text()).collect();
    assert!(labels.len() > 3 && labels.len() < 60, "{}", labels.len());
    assert_eq!(labels.last(), Some(&"2053-04"));
    // Written labels do not overlap: their centres are further apart than their width.
    let xs: Vec<f64> = with_class(&doc, "sp-chart-categories")[0].children().map(|n| number(n, "x")).collect();
    assert!(xs.windows(2).all(|w| w[1] - w[0] > 7.0 * 6.6), "{xs:?}");
    assert_eq!(known_bars(&doc).len(), 400);
}

#[test]
fn share_bars_write_value_and_percentage_and_scale_to_the_largest() {
    let s = Shares {
        id: "callers",
        title: "Who calls",
        description: "Callers by type; the numbers are in the table below.",
        items: vec![
            ("Родич".to_owned(), Some(60)),
            ("Сам військовослужбовець".to_owned(), Some(30)),
            ("Other".to_owned(), Some(10)),
            ("Unknown".to_owned(), None),
        ],
        suppressed_label: "приховано",
    };
    let svg = share_bars(&s);
    check_invariants(&svg, "callers");
    let doc = parse(&svg);
    let values: Vec<&str> = with_class(&doc, "sp-chart-value").iter().filter_map(|n| n.text()).collect();
    assert_eq!(values, ["60 (60%)", "30 (30%)", "10 (10%)", "приховано"]);
    let bars = known_bars(&doc);
    let widths: Vec<f64> = bars.iter().map(|b| number(*b, "width")).collect();
    assert!((widths[0] / widths[1] - 2.0).abs() < 0.01 && (widths[0] / widths[2] - 6.0).abs() < 0.01, "{widths:?}");
    assert_eq!(tooltip(bars[0]), "Родич: 60 (60%)");
    let stub = with_class(&doc, "sp-chart-suppressed");
    assert_eq!(stub.len(), 1);
    assert_eq!(stub[0].attribute("fill"), Some("url(#callers-suppressed)"));
    assert!(number(stub[0], "width") > 5.0);
    assert_eq!(tooltip(stub[0]), "Unknown: приховано");
    // Each value is written just past the end of its bar.
    let value_xs: Vec<f64> = with_class(&doc, "sp-chart-value").iter().map(|n| number(*n, "x")).collect();
    for (bar, x) in bars.iter().zip(&value_xs) {
        assert!((number(*bar, "x") + number(*bar, "width") + 5.0 - x).abs() < 0.1);
    }
}
