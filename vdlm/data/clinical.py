"""Clinical teaching data written for this course: SYNTHETIC notes, no real patient data.

The notes imitate the style of de-identified English hospital notes (the kind of text in MIMIC-III that
Bio+Clinical BERT read: Alsentzer et al. 2019, references.bib key alsentzer-etal-2019-publicly) without copying any: every sentence is filled from templates in this
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
so the labelled test notes are not in it (Huang et al.'s ClinicalBERT warns about exactly that leakage:
https://github.com/kexinhuang12345/clinicalBERT/issues/9).
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
#: Which shared comorbidity goes with which home medication (a note lists a drug only with its indication).
COMMON_MED_FOR = {"metformin": "DM2", "levothyroxine": "hypothyroidism", "sertraline": "depression",
                  "tamsulosin": "BPH", "omeprazole": "GERD", "atorvastatin": "HLD", "lisinopril": "HTN",
                  "amlodipine": "HTN"}

# department -> clinical scenarios. Every field of a note is drawn from ONE scenario, so the complaint, history,
# medications, exam, labs, assessment and plan describe the same illness; ``exclude`` lists shared comorbidities
# and home medications (first word) that would contradict it (e.g. DM2/metformin in a DM1 patient on an insulin
# pump, levothyroxine in thyrotoxicosis, lisinopril with sacubitril-valsartan). ``hypoxic``/``febrile`` shape the
# vital signs. Overlap between departments stays: shared comorbidities (HTN, DM2, HLD...), SOB in CHF and COPD.
DEPT: dict[str, list[dict]] = {
    "cardiology": [
        dict(ap="acute on chronic systolic CHF exacerbation", cc=["SOB and LE edema", "orthopnea", "SOB on exertion"],
             hpi=["reports 3-pillow orthopnea and PND for the past week", "notes 10 lb weight gain and worsening LE edema",
                  "ran out of furosemide 5 days ago", "reports dietary indiscretion with high-salt meals"],
             ed=["received furosemide 40 mg IV with good UOP", "CXR showed pulmonary vascular congestion"],
             pmh=["CHF with EF 30%", "HTN"], meds=["furosemide 40 mg PO BID", "metoprolol succinate 50 mg PO daily",
                                                   "spironolactone 25 mg PO daily", "sacubitril-valsartan 24-26 mg PO BID"],
             exam=["JVP elevated to 12 cm", "bibasilar crackles, 2+ pitting edema to the knees", "S3 gallop present"],
             labs=["BNP {bnp}", "troponin 0.0{d}", "Cr 1.{d}", "K 4.{d}"],
             plan=["diurese with IV furosemide, strict I/Os, daily weights", "TTE to reassess EF",
                   "low-sodium diet, fluid restriction 1.5 L"],
             exclude={"lisinopril"}, hypoxic=True),
        dict(ap="NSTEMI", cc=["chest pain", "CP radiating to the left arm"],
             hpi=["describes substernal pressure-like CP with exertion, relieved by rest",
                  "reports CP at rest for the past 2 hours", "denies fevers, cough or sputum"],
             ed=["ECG showed ST depressions in V4-V6", "received aspirin 325 mg and SL nitroglycerin"],
             pmh=["CAD s/p PCI to LAD", "HLD"], meds=["metoprolol tartrate 25 mg PO BID", "nitroglycerin 0.4 mg SL PRN CP",
                                                      "clopidogrel 75 mg PO daily"],
             exam=["regular rhythm, no murmurs", "diaphoretic, clear lungs"],
             labs=["troponin {trop}", "LDL 1{d}{d}", "K 4.{d}"],
             plan=["continue heparin drip, cardiology consult for cath", "telemetry monitoring, trend troponins",
                   "high-intensity statin, continue aspirin and clopidogrel"]),
        dict(ap="AFib with RVR", cc=["palpitations", "palpitations and SOB on exertion"],
             hpi=["reports intermittent palpitations and lightheadedness", "missed 2 days of metoprolol",
                  "denies CP or syncope"],
             ed=["HR 140s in AFib, received diltiazem 10 mg IV", "ECG showed AFib with RVR, no ischemic changes"],
             pmh=["AFib on apixaban", "HTN"], meds=["apixaban 5 mg PO BID", "metoprolol succinate 50 mg PO daily"],
             exam=["irregularly irregular rhythm", "no JVD, clear lungs"],
             labs=["TSH 1.{d}", "K 3.{d}", "Mg 1.{d}"],
             plan=["rate control with metoprolol, continue anticoagulation", "replete K and Mg, telemetry",
                   "TTE to assess LA size and EF"]),
        dict(ap="symptomatic bradycardia", cc=["syncope", "lightheadedness and fatigue"],
             hpi=["had an episode of syncope while standing, no prodrome", "reports fatigue and lightheadedness for 3 days",
                  "metoprolol dose was recently increased"],
             ed=["HR 38 in sinus bradycardia", "ECG showed sinus bradycardia with first-degree AV block"],
             pmh=["prior MI", "HTN"], meds=["metoprolol succinate 100 mg PO daily"],
             exam=["bradycardic, regular rhythm", "no focal neuro deficits"],
             labs=["K 5.{d}", "TSH 2.{d}", "troponin 0.0{d}"],
             plan=["hold metoprolol, telemetry monitoring", "EP consult for possible pacemaker",
                   "atropine at bedside, transcutaneous pacing pads on"]),
    ],
    "pulmonology": [
        dict(ap="acute COPD exacerbation", cc=["SOB and cough", "wheezing", "productive cough"],
             hpi=["reports increased sputum production with green sputum", "uses albuterol inhaler every 2 hours without relief",
                  "has a 40 pack-year smoking hx, still smoking", "denies LE edema or orthopnea"],
             ed=["received duonebs x3 and methylprednisolone 125 mg IV", "CXR showed hyperinflation, no infiltrate"],
             pmh=["COPD on 2L home O2", "HTN"], meds=["albuterol MDI 2 puffs q4h PRN SOB", "tiotropium 18 mcg inhaled daily",
                                                      "fluticasone-salmeterol 250/50 one puff BID"],
             exam=["diffuse expiratory wheezes", "prolonged expiratory phase", "accessory muscle use"],
             labs=["ABG 7.3{d}/5{d}/6{d}", "WBC {wbc_n}", "eosinophils {d}%"],
             plan=["nebs, steroids and azithromycin, wean O2 to goal SpO2 88-92%", "prednisone 40 mg daily for 5 days",
                   "incentive spirometry, smoking cessation counseling"],
             hypoxic=True),
        dict(ap="community-acquired pneumonia", cc=["SOB and fever", "productive cough"],
             hpi=["notes fevers to 101 and pleuritic CP", "was exposed to a sick contact at home",
                  "reports rigors and rust-colored sputum"],
             ed=["CXR showed a right lower lobe consolidation", "blood cultures drawn, received ceftriaxone"],
             pmh=["asthma", "HTN"], meds=["albuterol MDI 2 puffs q4h PRN SOB", "montelukast 10 mg PO qHS"],
             exam=["crackles at the right base", "decreased breath sounds at the right base"],
             labs=["WBC {wbc}", "procalcitonin {pct}", "lactate 1.{d}"],
             plan=["ceftriaxone and azithromycin, sputum culture", "supplemental O2, goal SpO2 > 92%",
                   "incentive spirometry, ambulate"],
             hypoxic=True, febrile=True),
        dict(ap="asthma exacerbation", cc=["wheezing", "SOB and chest tightness"],
             hpi=["has used albuterol 10 times today", "symptoms started after a viral URI",
                  "denies fevers or sputum"],
             ed=["received duonebs x3 and dexamethasone", "peak flow improved after nebs"],
             pmh=["asthma", "allergic rhinitis"], meds=["albuterol MDI 2 puffs q4h PRN SOB", "montelukast 10 mg PO qHS",
                                                         "fluticasone-salmeterol 250/50 one puff BID"],
             exam=["diffuse expiratory wheezes", "speaks in full sentences, mild accessory muscle use"],
             labs=["peak flow {pf} L/min", "WBC {wbc_n}"],
             plan=["nebs q4h and prednisone 40 mg daily", "asthma action plan, inhaler technique teaching",
                   "step up controller therapy"]),
        dict(ap="acute PE", cc=["SOB", "pleuritic CP and SOB"],
             hpi=["reports sudden-onset SOB this morning", "had a right knee replacement 2 weeks ago",
                  "notes left calf swelling"],
             ed=["CTA chest showed a right lower lobe segmental PE", "started on heparin drip"],
             pmh=["osteoarthritis s/p right TKA 2 weeks ago", "obesity"],
             meds=["oxycodone 5 mg PO q6h PRN pain", "enoxaparin 40 mg SC daily, stopped at discharge"],
             exam=["tachycardic, clear lungs", "left calf tenderness and swelling"],
             labs=["D-dimer {dd}", "troponin 0.0{d}", "BNP {bnp_n}"],
             plan=["heparin drip, transition to apixaban", "LE dopplers, TTE to assess RV strain",
                   "anticoagulation for at least 3 months"],
             exclude={"obesity", "osteoarthritis"}, hypoxic=True),
    ],
    "endocrinology": [
        dict(ap="DKA", cc=["hyperglycemia", "N/V and abdominal pain with high sugars", "polyuria and polydipsia"],
             hpi=["reports fingersticks above 400 for 3 days", "ran out of insulin last week",
                  "notes polyuria, polydipsia and blurry vision"],
             ed=["anion gap acidosis, started on insulin drip", "received 2 L NS bolus"],
             pmh=["DM1 on basal-bolus insulin", "prior DKA"], meds=["insulin glargine 20 units SC qHS",
                                                                     "insulin lispro sliding scale TID with meals"],
             exam=["dry mucous membranes", "Kussmaul respirations"],
             labs=["glucose {glu}", "anion gap 2{d}", "beta-hydroxybutyrate {bhb}", "K 5.{d}"],
             plan=["insulin drip per DKA protocol, q1h fingersticks, replete K",
                   "IV fluids, close the anion gap, transition to SC insulin", "diabetes education, endocrinology consult"],
             exclude={"DM2", "metformin"}),
        dict(ap="hypoglycemia due to sulfonylurea", cc=["hypoglycemia", "confusion with low sugars"],
             hpi=["had a glucose of 45 at home, found confused by family", "recently had poor PO intake with a viral illness",
                  "takes glipizide, dose recently increased"],
             ed=["received D50 with improvement in mental status", "started on D10 infusion"],
             pmh=["DM2 on glipizide", "CKD stage 3"], meds=["glipizide 5 mg PO BID", "dextrose tabs PRN hypoglycemia"],
             exam=["alert and oriented after dextrose", "diaphoretic"],
             labs=["glucose {glu_low}", "Cr 1.{d}", "HbA1c {a1c_ok}%"],
             plan=["hold glipizide, monitor glucose q1h", "D10 infusion, wean as tolerated",
                   "diabetes education, switch to a lower-risk agent"]),
        dict(ap="thyrotoxicosis", cc=["palpitations and weight loss", "neck swelling", "fatigue and weight loss"],
             hpi=["reports heat intolerance, tremor and weight loss", "notes a 15 lb weight loss over 2 months",
                  "denies CP or SOB"],
             ed=["HR 120s in sinus tachycardia", "started on propranolol"],
             pmh=["Graves disease", "anxiety"], meds=["methimazole 10 mg PO TID", "propranolol 20 mg PO q6h"],
             exam=["fine tremor, lid lag", "diffusely enlarged non-tender thyroid"],
             labs=["TSH < 0.01", "free T4 {ft4}", "T3 {t3}"],
             plan=["continue propranolol for symptoms, trend free T4", "continue methimazole, check LFTs and CBC",
                   "endocrinology consult, thyroid uptake scan as outpatient"],
             exclude={"hypothyroidism", "levothyroxine"}),
        dict(ap="uncontrolled DM2", cc=["hyperglycemia", "fatigue and polyuria"],
             hpi=["has a HbA1c of 11% from last month", "reports fingersticks in the 300s",
                  "stopped metformin because of GI upset"],
             ed=["glucose 380, no anion gap", "received 10 units insulin lispro SC"],
             pmh=["poorly controlled DM2", "diabetic neuropathy"], meds=["empagliflozin 10 mg PO daily",
                                                                        "glipizide 5 mg PO BID"],
             exam=["decreased sensation in both feet", "no acute distress"],
             labs=["glucose {glu_mod}", "HbA1c {a1c}%", "anion gap 1{d}"],
             plan=["start basal insulin, titrate to fasting glucose", "diabetes education, endocrinology consult",
                   "resume metformin extended-release with meals"]),
    ],
    "gastroenterology": [
        dict(ap="upper GI bleed", cc=["melena", "hematemesis"],
             hpi=["reports black tarry stools for 2 days", "had 2 episodes of coffee-ground emesis",
                  "takes ibuprofen daily for back pain"],
             ed=["received 1 unit PRBC and pantoprazole 80 mg IV", "NG lavage showed coffee-ground material"],
             pmh=["PUD", "osteoarthritis"], meds=["pantoprazole 40 mg IV BID", "ibuprofen 600 mg PO TID"],
             exam=["epigastric tenderness", "melena on rectal exam"],
             labs=["Hgb {hgb}", "BUN {bun}", "INR 1.{d}"],
             plan=["two large-bore IVs, transfuse for Hgb < 7, GI consult for EGD", "IV PPI BID, hold NSAIDs",
                   "NPO for EGD, serial Hgb q6h"],
             exclude={"aspirin"}),
        dict(ap="acute pancreatitis", cc=["abdominal pain", "epigastric pain radiating to the back"],
             hpi=["reports heavy alcohol use, 6 drinks daily", "notes N/V and inability to tolerate PO",
                  "pain started after a binge 2 days ago"],
             ed=["received 2 L LR and IV morphine", "CT abdomen showed peripancreatic fat stranding"],
             pmh=["alcohol use disorder", "chronic pancreatitis"], meds=["thiamine 100 mg PO daily", "folic acid 1 mg PO daily"],
             exam=["epigastric tenderness", "hypoactive bowel sounds"],
             labs=["lipase {lip}", "triglycerides 1{d}{d}", "ALT {alt_n}"],
             plan=["NPO, aggressive IV fluids, pain control", "CIWA protocol, thiamine and folate",
                   "advance diet as tolerated"]),
        dict(ap="acute cholecystitis", cc=["RUQ pain", "RUQ pain and fever"],
             hpi=["notes RUQ pain after fatty meals", "pain constant for 24 hours, with N/V",
                  "reports subjective fevers"],
             ed=["RUQ ultrasound showed gallbladder wall thickening and stones", "started on piperacillin-tazobactam"],
             pmh=["obesity", "symptomatic cholelithiasis"], meds=["ondansetron 4 mg IV q8h PRN N/V"],
             exam=["positive Murphy sign", "RUQ tenderness"],
             labs=["WBC {wbc}", "T bili 1.{d}", "ALP 1{d}{d}"],
             plan=["RUQ ultrasound, surgery consult", "IV antibiotics, NPO for cholecystectomy",
                   "pain control and antiemetics"],
             exclude={"obesity"}, febrile=True),
        dict(ap="decompensated cirrhosis", cc=["jaundice", "abdominal distension"],
             hpi=["notes yellowing of the eyes and dark urine", "reports increasing abdominal girth",
                  "family notes confusion at night"],
             ed=["diagnostic paracentesis performed", "received lactulose 30 mL"],
             pmh=["alcoholic cirrhosis", "esophageal varices"], meds=["lactulose 30 mL PO TID", "rifaximin 550 mg PO BID",
                                                                      "spironolactone 100 mg PO daily"],
             exam=["scleral icterus", "shifting dullness, distended abdomen", "asterixis"],
             labs=["T bili {d}.{d}", "INR 1.{d}", "ammonia {nh3}", "albumin 2.{d}"],
             plan=["paracentesis to r/o SBP", "lactulose titrated to 3 BMs daily", "hepatology consult, MELD score"]),
    ],
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
TESTS = {"cardiology": ["stress test", "TTE", "Holter monitor"], "pulmonology": ["PFTs", "CT chest"],
         "endocrinology": ["thyroid ultrasound", "repeat HbA1c"], "gastroenterology": ["EGD", "colonoscopy", "RUQ ultrasound"]}
FOLLOW_LABS = {"cardiology": ["BMP", "INR"], "pulmonology": ["CBC", "BMP"], "endocrinology": ["BMP", "TSH", "HbA1c"],
               "gastroenterology": ["CBC", "LFTs", "INR"]}

#: Progress-note phrases for long notes (any scenario).

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
    r = rng.randint
    return template.format(
        d=r(0, 9), bnp=r(800, 3200), bnp_n=r(20, 90), trop=f"{r(1, 24) / 10:.1f}", wbc=f"{r(12, 19)}.{r(0, 9)}",
        wbc_n=f"{r(6, 10)}.{r(0, 9)}", pct=f"{r(5, 40) / 10:.1f}", pf=r(150, 280), dd=r(900, 4000),
        glu=r(320, 780), glu_low=r(28, 55), glu_mod=r(250, 400), bhb=f"{r(40, 90) / 10:.1f}",
        a1c=f"{r(95, 140) / 10:.1f}", a1c_ok=f"{r(60, 75) / 10:.1f}", ft4=f"{r(35, 79) / 10:.1f}", t3=r(250, 600),
        hgb=f"{r(6, 9)}.{r(0, 9)}", bun=r(35, 80), lip=r(600, 2400), alt_n=r(20, 60), nh3=r(60, 160))


def _vitals(rng: random.Random, scenario: dict | None = None) -> str:
    scenario = scenario or {}
    temp = f"{rng.choice(['100.', '101.'])}{rng.randint(0, 9)}" if scenario.get("febrile") \
        else f"{rng.choice(['97.', '98.', '98.', '99.'])}{rng.randint(0, 9)}"
    o2 = (f"{rng.randint(88, 93)}% on {rng.choice(['2L NC', '4L NC'])}" if scenario.get("hypoxic")
          else f"{rng.randint(95, 99)}% on RA")
    return (f"T {temp} HR {rng.randint(60, 118)} BP {rng.randint(100, 168)}/{rng.randint(58, 96)} "
            f"RR {rng.randint(14, 26)} SpO2 {o2}")


def _progress_day(day: int, sc: dict, rng: random.Random) -> str:
    parts = [f"HD#{day}:", rng.choice(PROGRESS), f"VS: {_vitals(rng, sc)}.", rng.choice(PROGRESS),
             f"Labs: {_lab(rng.choice(sc['labs']), rng)}, {_lab(rng.choice(sc['labs']), rng)}.",
             f"Exam: {rng.choice(sc['exam'])}.", f"Plan: {rng.choice(sc['plan'])}."]
    return " ".join(parts)


def make_note(rng: random.Random, department: int, follow_up: int, hospital_days: int = 0) -> Note:
    """One synthetic note for ``department`` (index) with the given ``follow_up`` flag.

    The note follows one clinical scenario of the department (:data:`DEPT`), so its complaint, history,
    medications, exam, labs, assessment and plan agree with each other; shared comorbidities and home
    medications are added only where they do not contradict the scenario, each drug with its indication.

    Args:
        rng: random source (the note is a deterministic function of its state).
        hospital_days: number of daily progress entries in a HOSPITAL COURSE section (0 = short note, no
            such section). Each entry adds ~70 WordPiece tokens (MiniLM tokenizer).

    Returns:
        :class:`Note`.
    """
    name = DEPARTMENTS[department]
    sc = rng.choice(DEPT[name])
    excluded = sc.get("exclude", set())
    age, sex = rng.randint(28, 91), rng.choice(["M", "F"])
    common = [c for c in COMMON_PMH if c not in excluded and c not in sc["pmh"]
              and not (c == "DM2" and any("DM" in p for p in sc["pmh"]))]
    pmh = list(sc["pmh"]) + rng.sample(common, rng.randint(1, 3))
    rng.shuffle(pmh)
    scenario_drugs = {m.split(" ")[0] for m in sc["meds"]}
    home = [m for m in COMMON_MEDS if m.split(" ")[0] not in excluded and m.split(" ")[0] not in scenario_drugs
            and (COMMON_MED_FOR.get(m.split(" ")[0]) in pmh or m.split(" ")[0] in ("aspirin", "acetaminophen"))]
    home = rng.sample(home, min(len(home), rng.randint(1, 3)))
    meds = list(sc["meds"]) + home
    rng.shuffle(meds)
    cc = rng.choice(sc["cc"])
    first, second = rng.sample(sc["hpi"], 2)
    hpi = (f"{age} y/o {sex} with hx of {', '.join(pmh[:3])} who presents with {cc}. "
           f"Pt {first}. Also {second}. "
           f"{rng.choice(['Of note,', 'In the ED,'])} {rng.choice(sc['ed'])}.")
    sections = [
        ("CHIEF COMPLAINT", f"{_cap(cc)} x {rng.randint(1, 10)} days."),
        ("HPI", hpi),
        ("PMH", ", ".join(pmh) + "."),
        ("MEDICATIONS", "; ".join(meds) + "."),
        ("ALLERGIES", rng.choice(["NKDA.", "NKDA.", "PCN (rash).", "sulfa (hives)."])),
        ("PHYSICAL EXAM", f"VS: {_vitals(rng, sc)}. {_cap(rng.choice(sc['exam']))}."),
        ("LABS", ", ".join(_lab(t, rng) for t in rng.sample(sc["labs"], 2)) + "."),
    ]
    if hospital_days:
        course = [_progress_day(k, sc, rng) for k in range(1, hospital_days + 1)]
        sections.append(("HOSPITAL COURSE", "\n".join(course)))
    plan = f"{age} y/o {sex} with {sc['ap']}. {_cap(rng.choice(sc['plan']))}."
    if home:
        plan += f" Continue home {rng.choice(home).split(' ')[0]}."
    sections.append(("ASSESSMENT AND PLAN", plan))
    fu = rng.choice(FOLLOW_UP_YES if follow_up else FOLLOW_UP_NO).format(
        dept=name, n=rng.randint(1, 6), lab=rng.choice(FOLLOW_LABS[name]), test=rng.choice(TESTS[name]))
    sections.append(("DISPOSITION", fu))
    header = f"Admission Date: [**2150-{rng.randint(1, 12)}-{rng.randint(1, 28)}**]\n\n"  # no service name: it is the label
    text = header + "\n\n".join(f"{h}: {b}" for h, b in sections)
    return Note(text, department, follow_up, [h for h, _ in sections], hospital_days)


def note_dataset(n_train: int = 200, n_test: int = 80, seed: int = 0) -> tuple[list[Note], list[Note]]:
    """Short labelled notes (no HOSPITAL COURSE; ~230–340 MiniLM WordPiece tokens each).

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

    With the defaults they run ~650–1,200 MiniLM WordPiece tokens, beyond the 512-token limit of BERT-style
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
    pre-training: alsentzer-etal-2019-publicly); a quarter of the notes are long (with a HOSPITAL COURSE). Drawn with its own
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
