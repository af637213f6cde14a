"""Clinical teaching data written for this course: SYNTHETIC notes, no real patient data.

The notes imitate the style of de-identified English hospital notes (the kind of text in MIMIC-III that
Bio+Clinical BERT read, facts.md §3.1) without copying any: every sentence is filled from templates in this
file, with random ages, vital signs and lab values, de-identification placeholders such as ``[**2150-3-12**]``
and the usual abbreviations (SOB, HTN, CHF, COPD, DM2, BID, PRN...; see :data:`ABBREVIATIONS`).

Sections, in order (:data:`SECTIONS`; 主诉 = CHIEF COMPLAINT, 现病史 = HPI):
``CHIEF COMPLAINT``, ``HPI``, ``PMH``, ``MEDICATIONS``, ``ALLERGIES``, ``PHYSICAL EXAM``, ``LABS``,
[``HOSPITAL COURSE`` for long notes], ``ASSESSMENT AND PLAN``, ``DISPOSITION``.

Two labels per note:

* ``department``: the service the note belongs to (:data:`DEPARTMENTS`); it shows in the complaint, history,
  medications and plan, with shared comorbidities (HTN, DM2, HLD...) and overlapping symptoms (SOB in CHF and
  COPD) so the task is not a single-keyword lookup;
* ``follow_up``: 1 when the DISPOSITION section (the *last* section) asks for outpatient follow-up, 0 when it
  says none is needed. It is drawn independently of everything else, so the rest of the note carries no hint.

Long notes (:func:`long_notes`) add a HOSPITAL COURSE of daily progress entries ("HD#2: ...") before the plan,
the way real inpatient notes grow, so they exceed 512 tokens and the DISPOSITION falls beyond what a
512-token encoder sees after truncation (see :mod:`vdlm.longdoc`).

:func:`pretraining_corpus` is the unlabelled "MIMIC" of the clinical stand-in; it is drawn with its own seed,
so the labelled test notes are not in it (Huang et al.'s ClinicalBERT warns about exactly that leakage, facts.md §3.2).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

DEPARTMENTS = ["cardiology", "pulmonology", "endocrinology", "gastroenterology"]
DEPARTMENTS_ZH = ["心内科", "呼吸科", "内分泌科", "消化科"]
FOLLOW_UP_ZH = ["无需随访", "需要随访"]

SECTIONS = ["CHIEF COMPLAINT", "HPI", "PMH", "MEDICATIONS", "ALLERGIES", "PHYSICAL EXAM", "LABS",
            "HOSPITAL COURSE", "ASSESSMENT AND PLAN", "DISPOSITION"]

#: Abbreviations used in the notes, with their expansion (English) and a Chinese gloss.
ABBREVIATIONS = {
    "SOB": ("shortness of breath", "呼吸困难/气短"),
    "HTN": ("hypertension", "高血压"),
    "CHF": ("congestive heart failure", "充血性心力衰竭"),
    "COPD": ("chronic obstructive pulmonary disease", "慢性阻塞性肺疾病"),
    "DM2": ("type 2 diabetes mellitus", "2 型糖尿病"),
    "HLD": ("hyperlipidemia", "高脂血症"),
    "CAD": ("coronary artery disease", "冠心病"),
    "CKD": ("chronic kidney disease", "慢性肾病"),
    "GERD": ("gastroesophageal reflux disease", "胃食管反流病"),
    "CP": ("chest pain", "胸痛"),
    "N/V": ("nausea/vomiting", "恶心/呕吐"),
    "BID": ("twice a day (bis in die)", "每日两次"),
    "TID": ("three times a day", "每日三次"),
    "PRN": ("as needed (pro re nata)", "必要时"),
    "PO": ("by mouth (per os)", "口服"),
    "SL": ("sublingual", "舌下"),
    "NKDA": ("no known drug allergies", "无已知药物过敏"),
    "y/o": ("years old", "岁"),
    "hx": ("history", "病史"),
    "c/o": ("complains of", "主诉"),
    "s/p": ("status post", "……术后/……后"),
    "HD#": ("hospital day number", "住院第几天"),
    "PCP": ("primary care physician", "初级保健医生"),
}

COMMON_PMH = ["HTN", "HLD", "DM2", "obesity", "CKD stage 3", "GERD", "hypothyroidism", "OSA", "depression",
              "BPH", "osteoarthritis", "anemia"]
COMMON_MEDS = ["aspirin 81 mg PO daily", "atorvastatin 40 mg PO qHS", "lisinopril 10 mg PO daily",
               "metformin 500 mg PO BID", "omeprazole 20 mg PO daily", "acetaminophen 650 mg PO q6h PRN pain",
               "amlodipine 5 mg PO daily", "levothyroxine 50 mcg PO daily", "sertraline 50 mg PO daily",
               "tamsulosin 0.4 mg PO qHS"]

# department -> chief complaints, HPI details, department PMH, department meds, exam, labs, assessments, plans
DEPT: dict[str, dict[str, list[str]]] = {
    "cardiology": {
        "cc": ["SOB and LE edema", "chest pain", "palpitations", "CP radiating to the left arm", "orthopnea",
               "syncope", "SOB on exertion"],
        "hpi": ["reports 3-pillow orthopnea and PND for the past week", "notes 10 lb weight gain and worsening LE edema",
                "describes substernal pressure-like CP with exertion, relieved by rest",
                "reports intermittent palpitations and lightheadedness", "ran out of furosemide 5 days ago",
                "had an episode of syncope while standing, no prodrome", "denies fevers, cough or sputum",
                "reports dietary indiscretion with high-salt meals"],
        "pmh": ["CHF with EF 30%", "CAD s/p PCI to LAD", "AFib on apixaban", "HFpEF", "prior MI", "aortic stenosis"],
        "meds": ["furosemide 40 mg PO BID", "metoprolol succinate 50 mg PO daily", "carvedilol 12.5 mg PO BID",
                 "apixaban 5 mg PO BID", "nitroglycerin 0.4 mg SL PRN CP", "spironolactone 25 mg PO daily",
                 "sacubitril-valsartan 24-26 mg PO BID"],
        "exam": ["JVP elevated to 12 cm", "bibasilar crackles, 2+ pitting edema to the knees", "irregularly irregular rhythm",
                 "S3 gallop present", "systolic murmur at the RUSB"],
        "labs": ["BNP {bnp}", "troponin {trop}", "INR 1.{d}", "K 4.{d}"],
        "ap": ["acute on chronic systolic CHF exacerbation", "NSTEMI", "AFib with RVR", "volume overload",
               "unstable angina", "symptomatic bradycardia"],
        "plan": ["diurese with IV furosemide, strict I/Os, daily weights", "continue heparin drip, cardiology consult for cath",
                 "rate control with metoprolol, continue anticoagulation", "TTE to reassess EF",
                 "telemetry monitoring, trend troponins"],
    },
    "pulmonology": {
        "cc": ["SOB and cough", "productive cough", "wheezing", "hemoptysis", "SOB and fever", "hypoxia"],
        "hpi": ["reports increased sputum production with green sputum", "uses albuterol inhaler every 2 hours without relief",
                "notes fevers to 101 and pleuritic CP", "has a 40 pack-year smoking hx, still smoking",
                "was recently treated with prednisone taper for COPD flare", "denies LE edema or orthopnea",
                "reports night sweats and weight loss", "was exposed to a sick contact at home"],
        "pmh": ["COPD on 2L home O2", "asthma", "OSA on CPAP", "pulmonary fibrosis", "prior PE", "bronchiectasis"],
        "meds": ["albuterol MDI 2 puffs q4h PRN SOB", "tiotropium 18 mcg inhaled daily", "fluticasone-salmeterol 250/50 one puff BID",
                 "prednisone 40 mg PO daily", "azithromycin 250 mg PO daily", "montelukast 10 mg PO qHS",
                 "ipratropium nebs q6h PRN wheezing"],
        "exam": ["diffuse expiratory wheezes", "decreased breath sounds at the right base", "prolonged expiratory phase",
                 "accessory muscle use", "coarse rhonchi bilaterally"],
        "labs": ["WBC {wbc}", "ABG 7.3{d}/5{d}/6{d}", "procalcitonin 0.{d}", "lactate 1.{d}"],
        "ap": ["acute COPD exacerbation", "community-acquired pneumonia", "asthma exacerbation",
               "acute hypoxic respiratory failure", "pleural effusion"],
        "plan": ["nebs, steroids and azithromycin, wean O2 to goal SpO2 88-92%", "CXR and sputum culture, start ceftriaxone",
                 "CT chest with contrast to r/o PE", "pulmonology consult, consider thoracentesis",
                 "incentive spirometry, smoking cessation counseling"],
    },
    "endocrinology": {
        "cc": ["hyperglycemia", "polyuria and polydipsia", "fatigue and weight loss", "hypoglycemia", "neck swelling",
               "N/V and abdominal pain with high sugars"],
        "hpi": ["reports fingersticks above 400 for 3 days", "ran out of insulin last week",
                "notes polyuria, polydipsia and blurry vision", "had a glucose of 45 at home, found confused by family",
                "reports heat intolerance, tremor and weight loss", "was recently started on a steroid taper",
                "denies CP or SOB", "has a HbA1c of 11% from last month"],
        "pmh": ["DM1 on insulin pump", "poorly controlled DM2", "Graves disease", "adrenal insufficiency",
                "diabetic neuropathy", "prior DKA"],
        "meds": ["insulin glargine 20 units SC qHS", "insulin lispro sliding scale TID with meals", "glipizide 5 mg PO BID",
                 "methimazole 10 mg PO TID", "hydrocortisone 20 mg PO qAM", "empagliflozin 10 mg PO daily",
                 "dextrose tabs PRN hypoglycemia"],
        "exam": ["dry mucous membranes", "Kussmaul respirations", "fine tremor, lid lag", "diffusely enlarged non-tender thyroid",
                 "decreased sensation in both feet"],
        "labs": ["glucose {glu}", "anion gap 2{d}", "beta-hydroxybutyrate {d}.{d}", "TSH 0.0{d}", "HbA1c 1{d}%"],
        "ap": ["DKA", "hyperosmolar hyperglycemic state", "hypoglycemia due to sulfonylurea", "thyrotoxicosis",
               "uncontrolled DM2"],
        "plan": ["insulin drip per DKA protocol, q1h fingersticks, replete K", "IV fluids, close the anion gap, transition to SC insulin",
                 "diabetes education, endocrinology consult", "check free T4, start beta-blocker for symptoms",
                 "hold glipizide, monitor glucose q4h"],
    },
    "gastroenterology": {
        "cc": ["abdominal pain", "melena", "hematemesis", "N/V and diarrhea", "jaundice", "RUQ pain"],
        "hpi": ["reports black tarry stools for 2 days", "had 2 episodes of coffee-ground emesis",
                "notes RUQ pain after fatty meals", "reports heavy alcohol use, 6 drinks daily",
                "takes ibuprofen daily for back pain", "notes yellowing of the eyes and dark urine",
                "denies CP or SOB", "reports 8 loose stools daily for 4 days"],
        "pmh": ["alcoholic cirrhosis", "PUD", "Crohn disease", "chronic pancreatitis", "hepatitis C", "esophageal varices"],
        "meds": ["pantoprazole 40 mg IV BID", "lactulose 30 mL PO TID", "rifaximin 550 mg PO BID", "spironolactone 100 mg PO daily",
                 "ondansetron 4 mg IV q8h PRN N/V", "octreotide drip", "mesalamine 1.2 g PO BID"],
        "exam": ["epigastric tenderness", "scleral icterus", "shifting dullness, distended abdomen", "positive Murphy sign",
                 "hyperactive bowel sounds"],
        "labs": ["Hgb {hgb}", "lipase {lip}", "T bili {d}.{d}", "ALT {alt}", "INR 1.{d}"],
        "ap": ["upper GI bleed", "acute pancreatitis", "decompensated cirrhosis", "acute cholecystitis", "Crohn flare"],
        "plan": ["two large-bore IVs, transfuse for Hgb < 7, GI consult for EGD", "NPO, aggressive IV fluids, pain control",
                 "RUQ ultrasound, surgery consult", "paracentesis to r/o SBP", "stool studies, r/o C. diff"],
    },
}

FOLLOW_UP_YES = [
    "Follow up with {dept} clinic in {n} weeks.",
    "Repeat {lab} in {n} days and follow up with PCP.",
    "Outpatient {test} scheduled; return to {dept} clinic in {n} weeks.",
    "Needs close follow-up: appointment with {dept} in {n} weeks, labs before the visit.",
    "Referred to {dept} clinic; follow up within {n} weeks for medication titration.",
]
FOLLOW_UP_NO = [
    "No further follow-up needed.",
    "Discharged home in stable condition; return PRN.",
    "Follow-up not required; return to ED if symptoms recur.",
    "Symptoms resolved, no outpatient follow-up required.",
    "No clinic follow-up needed; resume usual care with PCP as before.",
]
TESTS = ["stress test", "TTE", "PFTs", "CT chest", "colonoscopy", "thyroid ultrasound", "Holter monitor", "EGD"]
FOLLOW_LABS = ["BMP", "CBC", "LFTs", "HbA1c", "TSH", "INR"]

PROGRESS = [
    "Pt seen and examined at bedside.", "No acute events overnight.", "Tolerating PO diet.",
    "Ambulating in the hallway with PT.", "Pain controlled on current regimen.", "Slept well overnight.",
    "Denies CP or SOB this AM.", "Family updated at bedside.", "f/u AM labs.", "Continue current management.",
]


@dataclass
class Note:
    """A synthetic clinical note.

    Attributes:
        text: the note (sections separated by blank lines).
        department: index into :data:`DEPARTMENTS`.
        follow_up: 1 when the DISPOSITION asks for outpatient follow-up, else 0.
        sections: section headings in order of appearance.
        hospital_days: number of daily progress entries in HOSPITAL COURSE (0 for short notes).
    """

    text: str
    department: int
    follow_up: int
    sections: list = field(default_factory=list)
    hospital_days: int = 0


def _cap(s: str) -> str:
    return s[0].upper() + s[1:]


def _lab(template: str, rng: random.Random) -> str:
    return template.format(
        d=rng.randint(0, 9), bnp=rng.randint(400, 3200), trop=f"0.{rng.randint(1, 9)}{rng.randint(0, 9)}",
        wbc=f"{rng.randint(11, 19)}.{rng.randint(0, 9)}", glu=rng.randint(320, 780), hgb=f"{rng.randint(6, 9)}.{rng.randint(0, 9)}",
        lip=rng.randint(300, 2400), alt=rng.randint(60, 400))


def _vitals(rng: random.Random) -> str:
    return (f"T {rng.choice(['98.', '99.', '100.', '97.'])}{rng.randint(0, 9)} HR {rng.randint(60, 118)} "
            f"BP {rng.randint(100, 168)}/{rng.randint(58, 96)} RR {rng.randint(14, 26)} SpO2 {rng.randint(88, 99)}% "
            f"on {rng.choice(['RA', '2L NC', '4L NC', 'RA'])}")


def _progress_day(day: int, d: dict, rng: random.Random) -> str:
    parts = [f"HD#{day}:", rng.choice(PROGRESS), f"VS: {_vitals(rng)}.", rng.choice(PROGRESS),
             f"Labs: {_lab(rng.choice(d['labs']), rng)}, {_lab(rng.choice(d['labs']), rng)}.",
             f"Exam: {rng.choice(d['exam'])}.", f"Plan: {rng.choice(d['plan'])}."]
    return " ".join(parts)


def make_note(rng: random.Random, department: int, follow_up: int, hospital_days: int = 0) -> Note:
    """One synthetic note for ``department`` (index) with the given ``follow_up`` flag.

    Args:
        rng: random source (the note is a deterministic function of its state).
        hospital_days: number of daily progress entries in a HOSPITAL COURSE section (0 = short note, no
            such section). Each entry adds ~70 WordPiece tokens (MiniLM tokenizer).

    Returns:
        :class:`Note`.
    """
    name = DEPARTMENTS[department]
    d = DEPT[name]
    age, sex = rng.randint(28, 91), rng.choice(["M", "F"])
    pmh = rng.sample(d["pmh"], 2) + rng.sample(COMMON_PMH, rng.randint(1, 3))
    rng.shuffle(pmh)
    meds = rng.sample(d["meds"], rng.randint(2, 3)) + rng.sample(COMMON_MEDS, rng.randint(1, 3))
    rng.shuffle(meds)
    other = DEPT[DEPARTMENTS[rng.choice([i for i in range(len(DEPARTMENTS)) if i != department])]]
    cc = rng.choice(d["cc"])
    hpi = (f"{age} y/o {sex} with hx of {', '.join(pmh[:3])} who presents with {cc}. "
           f"Pt {rng.choice(d['hpi'])}. Also {rng.choice(d['hpi'])}. "
           f"{rng.choice(['Of note,', 'Additionally,', 'In the ED,'])} {rng.choice(other['hpi'][-3:])}.")
    sections = [
        ("CHIEF COMPLAINT", f"{_cap(cc)} x {rng.randint(1, 10)} days."),
        ("HPI", hpi),
        ("PMH", ", ".join(pmh) + "."),
        ("MEDICATIONS", "; ".join(meds) + "."),
        ("ALLERGIES", rng.choice(["NKDA.", "NKDA.", "PCN (rash).", "sulfa (hives)."])),
        ("PHYSICAL EXAM", f"VS: {_vitals(rng)}. {_cap(rng.choice(d['exam']))}."),
        ("LABS", ", ".join(_lab(t, rng) for t in rng.sample(d["labs"], 2)) + "."),
    ]
    if hospital_days:
        course = [_progress_day(k, d, rng) for k in range(1, hospital_days + 1)]
        sections.append(("HOSPITAL COURSE", "\n".join(course)))
    sections.append(("ASSESSMENT AND PLAN", f"{age} y/o {sex} with {rng.choice(d['ap'])}. "
                     f"{_cap(rng.choice(d['plan']))}. Continue home "
                     f"{rng.choice(meds).split(' ')[0]}."))
    fu = rng.choice(FOLLOW_UP_YES if follow_up else FOLLOW_UP_NO).format(
        dept=name, n=rng.randint(1, 6), lab=rng.choice(FOLLOW_LABS), test=rng.choice(TESTS))
    sections.append(("DISPOSITION", fu))
    header = f"Admission Date: [**2150-{rng.randint(1, 12)}-{rng.randint(1, 28)}**]\n\n"  # no service name: it is the label
    text = header + "\n\n".join(f"{h}: {b}" for h, b in sections)
    return Note(text, department, follow_up, [h for h, _ in sections], hospital_days)


def note_dataset(n_train: int = 200, n_test: int = 80, seed: int = 0) -> tuple[list[Note], list[Note]]:
    """Short labelled notes (no HOSPITAL COURSE; ~150–260 MiniLM WordPiece tokens each).

    Departments are balanced (round robin) and ``follow_up`` is a fair coin per note, independent of the rest.

    Returns:
        ``(train, test)`` lists of :class:`Note`; same ``seed`` → same notes.
    """
    rng = random.Random(seed)
    notes = [make_note(rng, i % len(DEPARTMENTS), int(rng.random() < 0.5)) for i in range(n_train + n_test)]
    rng.shuffle(notes)
    return notes[:n_train], notes[n_train:]


def long_notes(n: int = 20, min_days: int = 6, max_days: int = 12, seed: int = 7) -> list[Note]:
    """Long labelled notes: a HOSPITAL COURSE of ``min_days``..``max_days`` daily entries before the plan.

    With the defaults they run ~700–1,200 MiniLM WordPiece tokens, beyond the 512-token limit of BERT-style
    encoders, so the final DISPOSITION section (which decides ``follow_up``) is cut off by truncation.

    Returns:
        ``n`` :class:`Note`, departments round robin, ``follow_up`` alternating 1, 0, 1, ... (balanced).
    """
    rng = random.Random(seed)
    return [make_note(rng, i % len(DEPARTMENTS), (i // len(DEPARTMENTS) + i) % 2, rng.randint(min_days, max_days))
            for i in range(n)]


def pretraining_corpus(n_notes: int = 400, seed: int = 12345) -> list[str]:
    """Unlabelled note sections for the clinical stand-in's domain-adaptive MLM (its "MIMIC-III").

    Each note is split into its sections (Alsentzer et al. also split MIMIC notes into sections before
    pre-training, facts.md §3.1); a quarter of the notes are long (with a HOSPITAL COURSE). Drawn with its own
    seed: the labelled notes of :func:`note_dataset` / :func:`long_notes` are not in it.

    Returns:
        list of section strings (``"HEADING: body"``), deterministic for a given ``seed``.
    """
    rng = random.Random(seed)
    out: list[str] = []
    for i in range(n_notes):
        note = make_note(rng, rng.randrange(len(DEPARTMENTS)), int(rng.random() < 0.5),
                         rng.randint(2, 5) if i % 4 == 0 else 0)
        out += [s for s in note.text.split("\n\n") if s.strip()]
    return out


def fill_mask_probes() -> list[tuple[str, str]]:
    """Fill-mask templates on clinical abbreviations: ``(template with {mask}, expected answer)``.

    Written for this course; the expected answer is the abbreviation a clinician would write, lower-cased
    (the stand-ins' vocabulary is uncased). In that vocabulary ``sob``, ``bid``, ``po``, ``cad`` are single
    tokens; ``prn``, ``copd``, ``htn`` are split into 2–3 pieces, so a single mask can only hit their first piece.
    """
    return [
        ("Pt c/o {mask} and LE edema, 3-pillow orthopnea.", "sob"),
        ("MEDICATIONS: furosemide 40 mg PO {mask}; metoprolol 25 mg PO daily.", "bid"),
        ("aspirin 81 mg {mask} daily; atorvastatin 40 mg PO qHS.", "po"),
        ("65 y/o M with hx of {mask} s/p PCI to LAD presents with chest pain.", "cad"),
        ("albuterol MDI 2 puffs q4h {mask} SOB.", "prn"),
        ("72 y/o F with {mask} on 2L home O2 presents with wheezing.", "copd"),
        ("Pt is a 67 y/o M with hx of CHF and {mask} who presents with SOB.", "htn"),
    ]
