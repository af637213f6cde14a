"""Biomedical teaching data written for this course: synthetic, no personal data.

* :func:`ner_dataset`: BIO-tagged sentences with three entity types (Disease, Chemical, Gene), built from
  templates and a small list of well-known gene–disease and drug–disease associations (textbook facts, so
  the sentences are plausible). Test sentences use **entities held out from training** (a quarter of the
  diseases with their genes and drugs), so the score measures generalisation to unseen names, which is where
  domain pre-training helps.
* :func:`pretraining_corpus`: descriptive sentences about all entities (the stand-in's "PubMed"): the
  held-out names appear here unlabelled, like PubMed text that BioBERT read before fine-tuning.
* :func:`load_ncbi_disease`: the real NCBI-disease corpus (Doğan et al., 2014; the BioBERT NER benchmark)
  in CoNLL form from github.com/spyysalo/ncbi-disease, when the network is there; None otherwise.
"""
from __future__ import annotations

import random
import re
import urllib.request
from pathlib import Path

from ..env import cache_dir

LABELS = ["O", "B-Disease", "I-Disease", "B-Chemical", "I-Chemical", "B-Gene", "I-Gene"]

# disease: (genes, drugs that treat it, drugs whose known adverse effect it is)
KNOWLEDGE: dict[str, tuple[list[str], list[str]]] = {
    "breast cancer": (["BRCA1", "BRCA2", "HER2"], ["tamoxifen", "trastuzumab", "letrozole"]),
    "ovarian cancer": (["BRCA1", "BRCA2"], ["cisplatin", "olaparib", "carboplatin"]),
    "cystic fibrosis": (["CFTR"], ["ivacaftor", "tobramycin"]),
    "Huntington's disease": (["HTT"], ["tetrabenazine"]),
    "Duchenne muscular dystrophy": (["DMD"], ["prednisone", "eteplirsen"]),
    "sickle cell disease": (["HBB"], ["hydroxyurea", "voxelotor"]),
    "Alzheimer's disease": (["APOE", "APP", "PSEN1"], ["donepezil", "memantine", "galantamine"]),
    "Parkinson's disease": (["SNCA", "LRRK2", "PARK7"], ["levodopa", "carbidopa", "pramipexole"]),
    "non-small cell lung cancer": (["EGFR", "ALK", "KRAS"], ["gefitinib", "erlotinib", "crizotinib"]),
    "colorectal cancer": (["APC", "KRAS", "MLH1"], ["fluorouracil", "oxaliplatin", "cetuximab"]),
    "melanoma": (["BRAF", "NRAS"], ["vemurafenib", "dabrafenib"]),
    "chronic myeloid leukemia": (["BCR-ABL1"], ["imatinib", "dasatinib", "nilotinib"]),
    "Marfan syndrome": (["FBN1"], ["losartan", "atenolol"]),
    "hemophilia A": (["F8"], ["emicizumab"]),
    "polycythemia vera": (["JAK2"], ["ruxolitinib", "hydroxyurea"]),
    "phenylketonuria": (["PAH"], ["sapropterin"]),
    "familial hypercholesterolemia": (["LDLR", "PCSK9"], ["atorvastatin", "evolocumab", "ezetimibe"]),
    "amyotrophic lateral sclerosis": (["SOD1", "C9orf72"], ["riluzole", "edaravone"]),
    "retinoblastoma": (["RB1"], ["carboplatin", "vincristine"]),
    "type 2 diabetes": (["TCF7L2", "PPARG"], ["metformin", "sitagliptin", "empagliflozin"]),
    "rheumatoid arthritis": (["HLA-DRB1", "PTPN22"], ["methotrexate", "adalimumab", "tofacitinib"]),
    "Crohn's disease": (["NOD2", "IL23R"], ["infliximab", "azathioprine"]),
    "fragile X syndrome": (["FMR1"], ["sertraline"]),
    "Rett syndrome": (["MECP2"], ["trofinetide"]),
    "neurofibromatosis type 1": (["NF1"], ["selumetinib"]),
    "hereditary hemochromatosis": (["HFE"], ["deferoxamine"]),
    "Gaucher disease": (["GBA1"], ["imiglucerase", "eliglustat"]),
    "spinal muscular atrophy": (["SMN1"], ["nusinersen", "risdiplam"]),
    "chronic kidney disease": (["APOL1", "UMOD"], ["dapagliflozin", "lisinopril"]),
    "atrial fibrillation": (["KCNQ1", "PITX2"], ["warfarin", "apixaban", "amiodarone"]),
    "asthma": (["ORMDL3", "IL33"], ["salbutamol", "budesonide", "montelukast"]),
    "gout": (["SLC2A9", "ABCG2"], ["allopurinol", "colchicine", "febuxostat"]),
}

# drug: adverse effect (a Disease mention), BC5CDR-style chemical-induced disease
ADVERSE = {
    "cisplatin": "nephrotoxicity", "doxorubicin": "cardiomyopathy", "amiodarone": "pulmonary fibrosis",
    "isoniazid": "hepatotoxicity", "aspirin": "gastrointestinal bleeding", "haloperidol": "tardive dyskinesia",
    "lithium": "hypothyroidism", "vancomycin": "acute kidney injury", "warfarin": "intracranial hemorrhage",
    "methotrexate": "hepatic fibrosis", "vincristine": "peripheral neuropathy", "atorvastatin": "myopathy",
    "levodopa": "dyskinesia", "tamoxifen": "endometrial cancer", "metformin": "lactic acidosis",
    "carbamazepine": "Stevens-Johnson syndrome", "clozapine": "agranulocytosis", "gentamicin": "ototoxicity",
}

NER_TEMPLATES = [
    "Mutations in the {G} gene cause {D} .",
    "Germline {G} variants were found in 12 of 80 families with {D} .",
    "Expression of {G} was reduced in tissue from patients with {D} .",
    "{C} is widely used to treat {D} .",
    "Patients with {D} who received {C} showed lower {G} expression .",
    "We report a case of {A} after treatment with {C} .",
    "{C} - induced {A} was observed in 7 % of patients .",
    "The {G} genotype predicted response to {C} in {D} .",
    "Loss of {G} function is a hallmark of {D} .",
    "A randomized trial compared {C} with placebo in adults with {D} .",
    "{A} is a known adverse effect of {C} .",
    "Screening for {G} mutations is recommended in families with {D} .",
    "In mouse models of {D} , {C} restored {G} signaling .",
    "No association between {G} polymorphisms and {D} risk was found .",
    "Treatment with {C} was stopped because of {A} .",
    "The patient with {D} carried a pathogenic {G} variant and was started on {C} .",
]

CORPUS_TEMPLATES = [
    "{D} is associated with mutations in {G} .",
    "{G} is a gene implicated in {D} .",
    "Variants of {G} increase the risk of {D} .",
    "{C} is a drug used in the treatment of {D} .",
    "{C} is prescribed for patients with {D} .",
    "Clinical trials of {C} in {D} reported improved outcomes .",
    "The {G} protein is studied as a therapeutic target in {D} .",
    "{D} is diagnosed by clinical examination and genetic testing for {G} variants .",
]
ADVERSE_TEMPLATES = [
    "{C} can cause {A} .",
    "{A} has been reported in patients treated with {C} .",
    "Monitoring for {A} is advised during {C} therapy .",
]
GENERIC = [
    "The study enrolled adult patients and followed them for two years .",
    "Gene expression was measured by quantitative PCR and normalized to a housekeeping gene .",
    "Protein levels were assessed by western blot analysis .",
    "The primary end point was overall survival .",
    "Adverse events were graded according to standard criteria .",
    "Mice were randomly assigned to treatment or control groups .",
    "Whole exome sequencing identified a heterozygous missense variant .",
    "The association was not significant after correction for multiple testing .",
    "Serum concentrations peaked two hours after oral administration .",
    "The drug inhibits a tyrosine kinase that drives tumor cell proliferation .",
]


def _split_diseases(seed: int = 0) -> tuple[list[str], list[str]]:
    diseases = sorted(KNOWLEDGE)
    random.Random(seed).shuffle(diseases)
    n_test = len(diseases) // 4
    return diseases[n_test:], diseases[:n_test]


def _tokens(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*'?s?|[^\sA-Za-z0-9]", text)


def _fill(template: str, ents: dict[str, tuple[str, str]]) -> tuple[list[str], list[str]]:
    words: list[str] = []
    tags: list[str] = []
    for part in template.split():
        m = re.fullmatch(r"\{([A-Z])\}", part)
        if m:
            text, etype = ents[m.group(1)]
            toks = _tokens(text)
            words += toks
            tags += [f"B-{etype}"] + [f"I-{etype}"] * (len(toks) - 1)
        else:
            words.append(part)
            tags.append("O")
    return words, tags


def _sentences(diseases: list[str], n: int, rng: random.Random) -> list[tuple[list[str], list[str]]]:
    pool_c = sorted({c for d in diseases for c in KNOWLEDGE[d][1]})
    adverse_c = [c for c in pool_c if c in ADVERSE] or sorted(ADVERSE)
    out = []
    while len(out) < n:
        t = rng.choice(NER_TEMPLATES)
        d = rng.choice(diseases)
        genes, drugs = KNOWLEDGE[d]
        c = rng.choice(drugs)
        if "{A}" in t:
            c = rng.choice(adverse_c)
        ents = {"D": (d, "Disease"), "G": (rng.choice(genes), "Gene"), "C": (c, "Chemical"),
                "A": (ADVERSE.get(c, "nephrotoxicity"), "Disease")}
        words, tags = _fill(t, ents)
        words[0] = words[0][0].upper() + words[0][1:] if tags[0] == "O" else words[0]
        out.append((words, tags))
    return out


def ner_dataset(n_train: int = 300, n_test: int = 100, seed: int = 0):
    """Synthetic biomedical NER data (BIO tags; types Disease, Chemical, Gene).

    Args:
        n_train, n_test: number of sentences. Test sentences mention only held-out diseases and their
            genes/drugs (adverse-effect drugs may overlap).
        seed: generator seed (same seed → same data).

    Returns:
        ``(train, test)``: each ``(words, tags)`` with ``words: list[list[str]]`` and ``tags`` aligned.
    """
    train_d, test_d = _split_diseases()
    rng = random.Random(seed)
    train = _sentences(train_d, n_train, rng)
    test = _sentences(test_d, n_test, rng)
    unpack = lambda rows: ([w for w, _ in rows], [t for _, t in rows])  # noqa: E731
    return unpack(train), unpack(test)


def pretraining_corpus(n_sentences: int = 2400, seed: int = 1) -> list[str]:
    """Unlabelled biomedical sentences (all entities, held-out ones included) for domain-adaptive MLM.

    Returns:
        ``n_sentences`` strings, deterministic for a given ``seed``.
    """
    rng = random.Random(seed)
    diseases = sorted(KNOWLEDGE)
    out = []
    while len(out) < n_sentences:
        r = rng.random()
        if r < 0.1:
            out.append(rng.choice(GENERIC))
        elif r < 0.25:
            c = rng.choice(sorted(ADVERSE))
            out.append(rng.choice(ADVERSE_TEMPLATES).format(C=c, A=ADVERSE[c]))
        else:
            d = rng.choice(diseases)
            genes, drugs = KNOWLEDGE[d]
            s = rng.choice(CORPUS_TEMPLATES).format(D=d, G=rng.choice(genes), C=rng.choice(drugs))
            out.append(s[0].upper() + s[1:])
    return out


#: Terms for the tokenizer comparison (a word per entry; several are multi-piece in any general vocabulary).
TERMS = ["acetaminophen", "thrombocytopenia", "immunoglobulin", "hepatocellular", "nephrotoxicity",
         "pharmacokinetics", "glioblastoma", "tetrabenazine", "hydroxyurea", "cardiomyopathy",
         "BRCA1", "CFTR", "dexamethasone", "erythropoietin", "agranulocytosis", "methotrexate",
         "tachycardia", "hyperlipidemia", "ribonucleoprotein", "adenocarcinoma"]

NCBI_URL = "https://raw.githubusercontent.com/spyysalo/ncbi-disease/master/conll/{split}.tsv"


def read_conll(text: str) -> tuple[list[list[str]], list[list[str]]]:
    """Parse ``token<TAB>tag`` lines with blank lines between sentences."""
    words, tags, w, t = [], [], [], []
    for line in text.splitlines() + [""]:
        if not line.strip():
            if w:
                words.append(w)
                tags.append(t)
                w, t = [], []
            continue
        tok, tag = line.split("\t")[:2]
        w.append(tok)
        t.append(tag)
    return words, tags


def load_ncbi_disease(split: str = "train", timeout: float = 5.0):
    """The real NCBI-disease corpus (CoNLL BIO, one type ``Disease``) if cached or downloadable, else None.

    Args:
        split: ``"train"``, ``"devel"`` or ``"test"``.
        timeout: seconds for the download (skipped when ``HF_HUB_OFFLINE``/``VDLM_OFFLINE`` is set).

    Returns:
        ``(words, tags)`` or None (no network). Cached under ``$VDLM_CACHE/ncbi-disease/``.
    """
    import os

    path = cache_dir() / "ncbi-disease" / f"{split}.tsv"
    if not path.exists():
        if os.environ.get("VDLM_OFFLINE") or os.environ.get("HF_HUB_OFFLINE"):
            return None
        try:
            with urllib.request.urlopen(NCBI_URL.format(split=split), timeout=timeout) as r:
                data = r.read().decode("utf-8")
        except OSError:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(data, encoding="utf-8")
    return read_conll(path.read_text(encoding="utf-8"))
