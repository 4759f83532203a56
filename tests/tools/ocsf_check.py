#!/usr/bin/env python3
"""Checks OCSF findings (JSON Lines) against an OCSF schema tree, as the
OCSF project publishes it (events/, objects/, profiles/, includes/,
dictionary.json): the Detection Finding class is resolved through its
`extends` chain, `$include`s and profiles, objects through theirs, and each
finding is checked attribute by attribute.

Checked: every attribute is one the class or object defines (an attribute
a profile brings only when metadata.profiles declares that profile); no
value is null; types (strings, integers, timestamps, booleans, objects,
arrays) as the dictionary gives them; required attributes present; enum
ids in their enum, and a caption sibling (severity for severity_id) equal
to the id's caption; objects' at_least_one constraints; class_uid,
category_uid and type_uid consistent; metadata.version the schema's.

usage: ocsf_check.py SCHEMA_DIR CLASS_NAME FINDINGS.jsonl
CLASS_NAME "any" checks each line against the class its class_uid names
(a report's findings and its Scan Activity run record).
Prints one line per problem (at most 50) and exits 1 when there is one.
"""
import json
import os
import sys

STRINGS = {"string_t"}
INTEGERS = {"integer_t", "long_t"}
CLASS_UIDS = {"category_uid", "class_uid", "type_uid"}


class Schema:
    def __init__(self, root):
        self.root = root
        self.dictionary = self.load("dictionary.json")
        self.types = self.dictionary["types"]["attributes"]
        self.attrs = self.dictionary["attributes"]
        self.version = self.load("version.json")["version"]
        self.events = {}
        for dirpath, _, files in os.walk(os.path.join(root, "events")):
            for f in files:
                if f.endswith(".json"):
                    d = json.load(open(os.path.join(dirpath, f)))
                    self.events[d["name"]] = d
        self.objects = {}
        for f in os.listdir(os.path.join(root, "objects")):
            d = json.load(open(os.path.join(root, "objects", f)))
            self.objects[d["name"]] = d
        self.categories = self.load("categories.json")["attributes"]
        self.cache = {}

    def load(self, rel):
        return json.load(open(os.path.join(self.root, rel)))

    def includes(self, attrs):
        """Attributes of the $include files, each tagged with its profile
        (None for a plain include)."""
        out = {}
        for rel in attrs.get("$include", []):
            d = self.load(rel)
            profile = d.get("name") if d.get("meta") == "profile" else None
            for k, v in d.get("attributes", {}).items():
                if k == "$include":
                    continue
                v = dict(v)
                v["_profile"] = profile
                out[k] = v
        return out

    def resolve(self, table, name):
        """Attributes of a class or an object, its parents' first, with
        $includes; later definitions refine earlier ones."""
        key = (id(table), name)
        if key in self.cache:
            return self.cache[key]
        d = table[name]
        merged, constraints = {}, {}
        parent = d.get("extends")
        if parent and parent in table:
            pm, pc = self.resolve(table, parent)
            merged.update({k: dict(v) for k, v in pm.items()})
            constraints.update(pc)
        for k, v in self.includes(d.get("attributes", {})).items():
            merged[k] = {**merged.get(k, {}), **v}
        for k, v in d.get("attributes", {}).items():
            if k == "$include":
                continue
            merged[k] = {**merged.get(k, {}), **(v or {})}
        constraints.update(d.get("constraints", {}))
        self.cache[key] = (merged, constraints)
        return merged, constraints

    def base_type(self, t):
        while t in self.types and self.types[t].get("type"):
            t = self.types[t]["type"]
        return t


class Checker:
    def __init__(self, schema, cls):
        self.s = schema
        self.cls = cls
        self.problems = []

    def bad(self, where, msg):
        self.problems.append("%s: %s" % (where, msg))

    def check_value(self, where, name, spec, value, profiles):
        dict_attr = self.s.attrs.get(name, {})
        t = spec.get("type") or dict_attr.get("type")
        if t is None:
            self.bad(where, "attribute %s has no type in the dictionary" % name)
            return
        if dict_attr.get("is_array") or spec.get("is_array"):
            if not isinstance(value, list):
                self.bad(where, "%s must be an array" % name)
                return
            for i, v in enumerate(value):
                self.check_scalar("%s[%d]" % (where, i), name, t, v, spec, dict_attr, profiles)
        else:
            self.check_scalar(where, name, t, value, spec, dict_attr, profiles)

    def check_scalar(self, where, name, t, v, spec, dict_attr, profiles):
        if v is None:
            self.bad(where, "null (leave the attribute out instead)")
            return
        if t in self.s.objects:
            if not isinstance(v, dict):
                self.bad(where, "%s must be an object (%s)" % (name, t))
                return
            if t != "object":  # 'object' (unmapped) is free-form
                self.check_object(where, self.s.objects, t, v, profiles)
            return
        base = self.s.base_type(t)
        if base == "json_t":
            return
        if base in STRINGS and not isinstance(v, str):
            self.bad(where, "%s must be a string (%s)" % (name, t))
        elif base in INTEGERS and (not isinstance(v, int) or isinstance(v, bool)):
            self.bad(where, "%s must be an integer (%s)" % (name, t))
        elif base == "float_t" and not isinstance(v, (int, float)):
            self.bad(where, "%s must be a number" % name)
        elif base == "boolean_t" and not isinstance(v, bool):
            self.bad(where, "%s must be a boolean" % name)
        enum = spec.get("enum") or dict_attr.get("enum")
        # the classification uids' enums are made from the classes (checked in check_finding)
        if enum is not None and name not in CLASS_UIDS and str(v) not in enum:
            self.bad(where, "%s = %r is not in its enum (%s)" % (name, v, ", ".join(enum)))

    def check_object(self, where, table, name, obj, profiles):
        attrs, constraints = self.s.resolve(table, name)
        for k, v in obj.items():
            spec = attrs.get(k)
            if spec is None:
                self.bad(where, "%s is not an attribute of %s" % (k, name))
                continue
            prof = spec.get("_profile")
            if prof and prof not in profiles:
                self.bad(where, "%s comes from profile %s, which metadata.profiles does not "
                                "declare" % (k, prof))
            self.check_value("%s.%s" % (where, k), k, spec, v, profiles)
        for k, spec in attrs.items():
            prof = spec.get("_profile")
            if spec.get("requirement") == "required" and k not in obj and \
                    (prof is None or prof in profiles):
                self.bad(where, "required %s missing from %s" % (k, name))
        for k, spec in attrs.items():
            sib = self.s.attrs.get(k, {}).get("sibling")
            enum = spec.get("enum") or self.s.attrs.get(k, {}).get("enum")
            if sib and enum and k in obj and sib in obj and str(obj[k]) != "99":
                caption = enum.get(str(obj[k]), {}).get("caption")
                if caption is not None and obj[sib] != caption:
                    self.bad(where, "%s = %r but %s says %r" % (k, obj[k], sib, caption))
        for group in constraints.get("at_least_one", []) and [constraints["at_least_one"]]:
            if not any(g in obj for g in group):
                self.bad(where, "%s needs at least one of %s" % (name, ", ".join(group)))
        for group in constraints.get("just_one", []) and [constraints["just_one"]]:
            if sum(g in obj for g in group) != 1:
                self.bad(where, "%s needs exactly one of %s" % (name, ", ".join(group)))

    def class_of(self, f):
        """The class a line is checked against: the one asked for, or with
        "any" the class whose uid its class_uid is (None when none is)."""
        if self.cls != "any":
            return self.cls
        for name, d in self.s.events.items():
            cat = self.s.categories.get(d.get("category"), {})
            if "uid" in d and "uid" in cat and cat["uid"] * 1000 + d["uid"] == f.get("class_uid"):
                return name
        return None

    def check_finding(self, where, f):
        name = self.class_of(f)
        if name is None:
            self.bad(where, "class_uid %r is no class of the schema" % f.get("class_uid"))
            return
        cls = self.s.events[name]
        profiles = set((f.get("metadata") or {}).get("profiles") or [])
        if "metadata" in f and "profiles" not in f["metadata"]:
            self.bad(where, "metadata.profiles not declared")
        for p in profiles:
            if not os.path.exists(os.path.join(self.s.root, "profiles", p + ".json")):
                self.bad(where, "unknown profile %s" % p)
        self.check_object(where, self.s.events, name, f, profiles)
        cat = self.s.categories.get(cls["category"], {})
        want_class = cat.get("uid", 0) * 1000 + cls["uid"]
        if f.get("category_uid") != cat.get("uid"):
            self.bad(where, "category_uid %r, want %r" % (f.get("category_uid"), cat.get("uid")))
        if f.get("class_uid") != want_class:
            self.bad(where, "class_uid %r, want %r" % (f.get("class_uid"), want_class))
        if isinstance(f.get("activity_id"), int) and f.get("type_uid") != want_class * 100 + f["activity_id"]:
            self.bad(where, "type_uid %r, want %r" % (f.get("type_uid"),
                                                      want_class * 100 + f["activity_id"]))
        version = (f.get("metadata") or {}).get("version")
        if version != self.s.version:
            self.bad(where, "metadata.version %r, want %r" % (version, self.s.version))


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    schema = Schema(sys.argv[1])
    c = Checker(schema, sys.argv[2])
    n = 0
    for i, line in enumerate(open(sys.argv[3]), 1):
        if line.strip():
            c.check_finding("finding %d" % i, json.loads(line))
            n += 1
    for p in c.problems[:50]:
        print(p)
    print("%d finding(s), %d problem(s)" % (n, len(c.problems)))
    sys.exit(1 if c.problems or n == 0 else 0)


if __name__ == "__main__":
    main()
