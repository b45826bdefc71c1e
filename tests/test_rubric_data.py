"""The rubric file against its seed: every number's source words are in the seed."""
from __future__ import annotations

import csv

from sim.files.datadir import DATA_DIR, read_toml


def _sourced(node, source_file, path=""):
    """Yield (path, source_file, source) for every dict with a 'source' key, recursively."""
    if isinstance(node, dict):
        source_file = node.get("source_file", source_file)
        if "source" in node:
            yield path, source_file, node
        for k, v in node.items():
            yield from _sourced(v, source_file, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _sourced(v, source_file, f"{path}[{i}]")


def test_every_source_is_verbatim_in_its_seed(seeds):
    doc = read_toml(DATA_DIR / "rubrics" / "hebei_county.toml")
    found = list(_sourced(doc, doc["rubric"]["source_file"]))
    assert len(found) > 80
    for path, sf, node in found:
        if not node["source"]:
            assert node.get("assumption"), f"{path}: no source and no assumption"
            continue
        assert node["source"] in seeds[sf], f"{path}: {node['source']!r} not in {sf}"
        for key in ("top_source", "cap_source", "name_source"):
            if node.get(key):
                seed = seeds[node.get("name_source_file", sf)] if key == "name_source" else seeds[sf]
                assert node[key] in seed, f"{path}.{key}: {node[key]!r}"


def test_example_row_sources_are_in_the_seeds(seeds, rubric):
    rows = list(csv.DictReader(open(DATA_DIR / "rubrics" / "hebei_county_example.csv", encoding="utf-8")))
    assert {r["column"] for r in rows} == {"region"} | {c.id for c in rubric.columns}
    for r in rows:
        assert r["status"] in ("seed", "assumption"), r
        if r["status"] == "seed":
            assert r["source"] and r["source"] in seeds[r["source_file"]], r
        else:
            assert r["note"], f"{r['column']}: an assumption needs its reasoning"


def test_groups_and_items_add_up(rubric):
    assert rubric.total_points == 100
    assert {g.id: g.max_points for g in rubric.groups} == {
        "inputs": 20, "actors": 25, "conditions": 25, "outputs": 15, "management": 15}
    assert len(rubric.items) == 17


def test_column_ids_are_the_data_contract(rubric):
    ids = [c.id for c in rubric.columns]
    assert len(ids) == len(set(ids)) == 11 + 10 + 14 + 9 + 7 + 3
    for cid in ("fiscal_st_spending", "national_innovative_towns", "academician_workstations",
                "city_commendations", "st_admin_body", "st_leading_group", "st_management_innovation"):
        assert cid in ids
