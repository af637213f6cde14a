"""Rendering of bibliography entries: LaTeX in names, both styles, labels."""

from coursesite.citations.render import format_entries, inline_label, latex_to_text, split_names
from coursesite.citations.parse import parse_bibliography

BIB = r"""@inproceedings{g,
  title     = "Don{'}t Stop Pretraining",
  author    = "Gururangan, Suchin and Marasovi{\'c}, Ana and
               Smith, Noah A.",
  booktitle = "Proceedings of ACL",
  year      = "2020",
  pages     = "8342--8360",
  doi       = "10.18653/v1/2020.acl-main.740"
}
@misc{v, title={Attention}, author={Kaiser, {\L}ukasz and Polosukhin, Illia}, year={2017}, url={https://arxiv.org/abs/1706.03762}}
"""


def test_latex_in_split_names_is_decoded():
    assert split_names(r"Marasovi{\'c}, Ana and Kaiser, {\L}ukasz and Jacob Devlin") == [
        {"family": "Marasović", "given": "Ana"},
        {"family": "Kaiser", "given": "Łukasz"},
        {"family": "Devlin", "given": "Jacob"},
    ]
    assert latex_to_text("4171--4186") == "4171–4186"


def test_apa_and_gb7714_output():
    bib = parse_bibliography(BIB)
    apa = format_entries(bib.entries.values(), "apa")
    assert apa["g"].startswith("Gururangan, S., Marasović, A., &amp; Smith, N. A. (2020).")
    assert '<a href="https://doi.org/10.18653/v1/2020.acl-main.740">' in apa["g"]
    gb = format_entries(bib.entries.values(), "gb7714")
    assert gb["g"].startswith("GURURANGAN S, MARASOVIĆ A, SMITH N A.")
    assert inline_label(bib.entries["g"]) == "Gururangan et al., 2020"
    assert inline_label(bib.entries["v"]) == "Kaiser &amp; Polosukhin, 2017"
    assert inline_label(bib.entries["v"], "gb7714", 7) == "7"


def test_hyphenated_given_names_question_marks_and_composed_accents():
    bib = parse_bibliography(r"""@article{j, title={Can It Be Too Big?}, author={Lehman, Li-wei H. and Marasovi{\'c}, Ana},
 journal={J}, year={2016}, doi={10.1/x}}""")
    text = format_entries(bib.entries.values(), "apa")["j"]
    assert "Lehman, L.-W. H." in text
    assert "Too Big?." not in text and "Too Big?" in text
    assert "Marasovi\u0107" in text  # one precomposed character, not c + combining accent
