#!/usr/bin/env python3
"""Regenerate articles.go: the LEGIARTI identifier of every article of the code de la
sécurité sociale and of the code du travail cited in REGULATIONS.md, the rule sets, the
parameter files and docs/.

Usage (from the repository root, the package unpacked outside the repository):
    cd /tmp && npm pack @socialgouv/legi-data@2.513.0 && tar xzf socialgouv-legi-data-2.513.0.tgz
    python3 internal/rules/articles_gen.py /tmp/package/data ../shared/docs/REGULATIONS.md
    gofmt -w internal/rules/articles.go
The package is read, never committed: only the identifiers are.
"""
import glob, json, re, sys

data, regulations = sys.argv[1], sys.argv[2]
codes = {"css": "LEGITEXT000006073189", "travail": "LEGITEXT000006072050"}
idx = {}
for name, code in codes.items():
    tree = json.load(open(f"{data}/{code}.json"))
    arts = {}
    def walk(n):
        if n.get("type") == "article":
            arts[n["data"].get("num")] = n["data"].get("id")
        for c in n.get("children") or []:
            walk(c)
    walk(tree)
    idx[name] = arts

text = open(regulations).read()
for f in glob.glob("internal/rules/**/*", recursive=True) + glob.glob("docs/**/*.md", recursive=True):
    if f.endswith((".go", ".yaml", ".md")):
        text += open(f).read()
nums = set(re.findall(r"\b([LRD]\d{3,4}(?:-\d+)*)\b", text.replace("\u2011", "-")))

def gomap(var, m):
    return f"var {var} = map[string]string{{\n" + "".join(f'\t"{k}": "{m[k]}",\n' for k in sorted(m)) + "}\n"

css = {n: idx["css"][n] for n in nums if n in idx["css"]}
trav = {n: idx["travail"][n] for n in nums if n in idx["travail"] and len(n.split("-")[0]) >= 5}
out = ("// Code generated from the consolidated codes of @socialgouv/legi-data 2.513.0 (DILA LEGI\n"
       "// data of 14 March 2026) by extracting, for every article number cited in REGULATIONS.md,\n"
       "// the rule sets and the parameter files, the LEGIARTI identifier of its version in force.\n"
       "// DO NOT EDIT by hand: see docs/legislation.md, \"Liens vers les articles\".\n\npackage rules\n\n"
       "// cssArticles maps an article of the code de la sécurité sociale to its LEGIARTI id.\n" + gomap("cssArticles", css) +
       "\n// travailArticles maps an article of the code du travail to its LEGIARTI id.\n" + gomap("travailArticles", trav))
open("internal/rules/articles.go", "w").write(out)
print(len(css), "articles du CSS,", len(trav), "du code du travail")
