package synth

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"medconseil"
)

// The tables follow the SNDS (DCIR) column names and nomenclatures of
// schema-snds; dates are Parquet DATE, amounts DECIMAL(18,2) in euros stored
// as integer centimes. Tables prefixed MC_ are medconseil's own (what the
// Service médical receives beside the SNDS: avis d'arrêt with their motif, AT/MP
// claims, the NIR correspondence, the Service médical's staff).

// Optional columns are pointers: nil is written as a Parquet NULL. (Non-pointer
// fields tagged "optional" were written as 0, '' or 1970-01-01 for runs of rows
// by the Parquet writer; pointers have no such ambiguity.)

// Keys are the 9 join keys of ER_PRS_F, repeated in its satellites.
type Keys struct {
	FLX_DIS_DTD int32  `parquet:"FLX_DIS_DTD,date"`
	FLX_TRT_DTD int32  `parquet:"FLX_TRT_DTD,date"`
	FLX_EMT_TYP int32  `parquet:"FLX_EMT_TYP"`
	FLX_EMT_NUM int32  `parquet:"FLX_EMT_NUM"`
	FLX_EMT_ORD int32  `parquet:"FLX_EMT_ORD"`
	ORG_CLE_NUM string `parquet:"ORG_CLE_NUM,dict"`
	DCT_ORD_NUM int64  `parquet:"DCT_ORD_NUM"`
	PRS_ORD_NUM int32  `parquet:"PRS_ORD_NUM"`
	REM_TYP_AFF int32  `parquet:"REM_TYP_AFF"`
}

// PRS is a line of ER_PRS_F, the central prestation table. Amounts and
// quantities ("number" in the schema) are DECIMAL(18,2): 1 act is stored as 100.
type PRS struct {
	Keys
	BEN_NIR_PSA string  `parquet:"BEN_NIR_PSA"`
	BEN_RNG_GEM int32   `parquet:"BEN_RNG_GEM"`
	BEN_SEX_COD int32   `parquet:"BEN_SEX_COD"`
	BEN_AMA_COD int32   `parquet:"BEN_AMA_COD"`
	BEN_NAI_ANN string  `parquet:"BEN_NAI_ANN,dict"`
	BEN_CDI_NIR string  `parquet:"BEN_CDI_NIR,dict"`
	BEN_RES_DPT string  `parquet:"BEN_RES_DPT,dict"`
	BEN_RES_COM string  `parquet:"BEN_RES_COM,dict"`
	ORG_AFF_BEN string  `parquet:"ORG_AFF_BEN,dict"`
	ORG_CLE_NEW string  `parquet:"ORG_CLE_NEW,dict"`
	EXE_SOI_DTD int32   `parquet:"EXE_SOI_DTD,date"`
	EXE_SOI_DTF int32   `parquet:"EXE_SOI_DTF,date"`
	EXE_SOI_AMD string  `parquet:"EXE_SOI_AMD,dict"`
	EXE_SOI_AMF string  `parquet:"EXE_SOI_AMF,dict"`
	PRE_PRE_DTD *int32  `parquet:"PRE_PRE_DTD,date,optional"`
	PRE_PRE_AMD *string `parquet:"PRE_PRE_AMD,dict,optional"`
	PRS_NAT_REF int32   `parquet:"PRS_NAT_REF"`
	BSE_PRS_NAT int32   `parquet:"BSE_PRS_NAT"`
	CPL_PRS_NAT int32   `parquet:"CPL_PRS_NAT"`
	CPL_MAJ_TOP int32   `parquet:"CPL_MAJ_TOP"`
	DPN_QLF     int32   `parquet:"DPN_QLF"`
	PRS_DPN_QLP int32   `parquet:"PRS_DPN_QLP"`
	PRS_REJ_TOP int32   `parquet:"PRS_REJ_TOP"`
	PRS_PPU_SEC int32   `parquet:"PRS_PPU_SEC"`
	PRS_ACT_QTE int64   `parquet:"PRS_ACT_QTE,decimal(2:18)"`
	PRS_ACT_NBR int64   `parquet:"PRS_ACT_NBR,decimal(2:18)"`
	PRS_ACT_CFT int64   `parquet:"PRS_ACT_CFT,decimal(2:18)"`
	PRS_PAI_MNT int64   `parquet:"PRS_PAI_MNT,decimal(2:18)"`
	PRS_DEP_MNT int64   `parquet:"PRS_DEP_MNT,decimal(2:18)"`
	BSE_REM_BSE int64   `parquet:"BSE_REM_BSE,decimal(2:18)"`
	BSE_REM_PRU int64   `parquet:"BSE_REM_PRU,decimal(2:18)"`
	BSE_REM_MNT int64   `parquet:"BSE_REM_MNT,decimal(2:18)"`
	BSE_REM_SGN int32   `parquet:"BSE_REM_SGN"`
	RGO_REM_TAU int64   `parquet:"RGO_REM_TAU,decimal(2:18)"`
	PFS_EXE_NUM *string `parquet:"PFS_EXE_NUM,dict,optional"`
	PFS_PRE_NUM *string `parquet:"PFS_PRE_NUM,dict,optional"`
	PRS_MTT_NUM *string `parquet:"PRS_MTT_NUM,dict,optional"`
	PSE_SPE_COD int32   `parquet:"PSE_SPE_COD"`
	PSE_ACT_NAT int32   `parquet:"PSE_ACT_NAT"`
	PSP_SPE_COD int32   `parquet:"PSP_SPE_COD"`
	PSP_ACT_NAT int32   `parquet:"PSP_ACT_NAT"`
	ETB_PRE_FIN *string `parquet:"ETB_PRE_FIN,dict,optional"`
	IJR_EMP_NUM *int64  `parquet:"IJR_EMP_NUM,optional"`
	RGO_ASU_NAT int32   `parquet:"RGO_ASU_NAT"`
	EXO_MTF     int32   `parquet:"EXO_MTF"`
}

// ETE is a line of ER_ETE_F: the establishment that executed a prestation
// (consultations externes and stays billed to the DCIR).
type ETE struct {
	Keys
	ORG_CLE_NEW string `parquet:"ORG_CLE_NEW,dict"`
	ETB_EXE_FIN string `parquet:"ETB_EXE_FIN,dict"`
	ETE_CAT_COD int32  `parquet:"ETE_CAT_COD"`
	PRS_PPU_SEC int32  `parquet:"PRS_PPU_SEC"`
}

// PHA is a line of ER_PHA_F: a medicine (CIP13) delivered by a pharmacy.
type PHA struct {
	Keys
	ORG_CLE_NEW string `parquet:"ORG_CLE_NEW,dict"`
	PHA_ORD_NUM int32  `parquet:"PHA_ORD_NUM"`
	PHA_PRS_C13 int64  `parquet:"PHA_PRS_C13"`
	PHA_ACT_QSN int32  `parquet:"PHA_ACT_QSN"`
	PHA_ACT_PRU int64  `parquet:"PHA_ACT_PRU,decimal(2:18)"`
	PHA_SEQ_RNV int32  `parquet:"PHA_SEQ_RNV"`
}

// TRS is a line of ER_TRS_F: the detailed information of one trip (its dates,
// hours and the postal codes of departure and arrival).
type TRS struct {
	Keys
	ORG_CLE_NEW  string `parquet:"ORG_CLE_NEW,dict"`
	ITR_ORD_NUM  int32  `parquet:"ITR_ORD_NUM"`
	TRS_DEP_CDP  string `parquet:"TRS_DEP_CDP,dict"`
	TRS_ARR_CDP  string `parquet:"TRS_ARR_CDP,dict"`
	TRS_DTD_DTE  int32  `parquet:"TRS_DTD_DTE,date"`
	TRS_DTF_DTE  int32  `parquet:"TRS_DTF_DTE,date"`
	TRS_DTD_AME  string `parquet:"TRS_DTD_AME,dict"`
	TRS_DTF_AME  string `parquet:"TRS_DTF_AME,dict"`
	TRS_TRP_HRD  int32  `parquet:"TRS_TRP_HRD"`
	TRS_TRP_HRA  int32  `parquet:"TRS_TRP_HRA"`
	TRS_VEH_NUMC string `parquet:"TRS_VEH_NUMC,dict"`
}

// DTR is a line of ER_DTR_F, the refined transport items (IR_DTR_V codes).
type DTR struct {
	Keys
	ORG_CLE_NEW string `parquet:"ORG_CLE_NEW,dict"`
	TRS_ORD_NUM int32  `parquet:"TRS_ORD_NUM"`
	TRS_PRS_IDE int32  `parquet:"TRS_PRS_IDE"`
	TRS_ACT_QSN int32  `parquet:"TRS_ACT_QSN"`
	TRS_ACT_PRU int64  `parquet:"TRS_ACT_PRU"` // integer in the schema: centimes
	TRS_TRS_MTF int32  `parquet:"TRS_TRS_MTF"`
}

// TIP is a line of ER_TIP_F, the refined LPP items (NT_LPP codes).
type TIP struct {
	Keys
	ORG_CLE_NEW string `parquet:"ORG_CLE_NEW,dict"`
	TIP_ORD_NUM int32  `parquet:"TIP_ORD_NUM"`
	TIP_PRS_IDE int64  `parquet:"TIP_PRS_IDE"`
	TIP_PRS_TYP int32  `parquet:"TIP_PRS_TYP"`
	TIP_ACT_QSN int32  `parquet:"TIP_ACT_QSN"`
	TIP_ACT_PRU int64  `parquet:"TIP_ACT_PRU,decimal(2:18)"`
	TIP_PUB_PRX int64  `parquet:"TIP_PUB_PRX,decimal(2:18)"`
	TIP_ACL_DTD int32  `parquet:"TIP_ACL_DTD,date"`
	TIP_ACL_DTF int32  `parquet:"TIP_ACL_DTF,date"`
}

// BEN is a line of IR_BEN_R, the beneficiaries. Date parts are strings, as in
// the SNDS (BEN_NAI_ANN "1980", BEN_NAI_MOI "03", BEN_DCD_AME "202405").
type BEN struct {
	BEN_NIR_PSA string  `parquet:"BEN_NIR_PSA"`
	BEN_RNG_GEM int32   `parquet:"BEN_RNG_GEM"`
	BEN_IDT_ANO string  `parquet:"BEN_IDT_ANO"`
	BEN_CDI_NIR string  `parquet:"BEN_CDI_NIR,dict"`
	BEN_SEX_COD int32   `parquet:"BEN_SEX_COD"`
	BEN_NAI_ANN string  `parquet:"BEN_NAI_ANN,dict"`
	BEN_NAI_MOI string  `parquet:"BEN_NAI_MOI,dict"`
	BEN_RES_DPT string  `parquet:"BEN_RES_DPT,dict"`
	BEN_RES_COM string  `parquet:"BEN_RES_COM,dict"`
	BEN_DCD_DTE *int32  `parquet:"BEN_DCD_DTE,date,optional"`
	BEN_DCD_AME *string `parquet:"BEN_DCD_AME,dict,optional"`
	ORG_AFF_BEN string  `parquet:"ORG_AFF_BEN,dict"`
	ORG_CLE_NEW string  `parquet:"ORG_CLE_NEW,dict"`
	BEN_DTE_INS int32   `parquet:"BEN_DTE_INS,date"`
	MAX_TRT_DTD *int32  `parquet:"MAX_TRT_DTD,date,optional"`
}

// IMB is a line of IR_IMB_R: ALD, AT and MP of the beneficiaries.
type IMB struct {
	BEN_NIR_PSA string  `parquet:"BEN_NIR_PSA"`
	BEN_RNG_GEM int32   `parquet:"BEN_RNG_GEM"`
	IMB_ETM_NAT int32   `parquet:"IMB_ETM_NAT"`
	IMB_ALD_NUM *int32  `parquet:"IMB_ALD_NUM,optional"`
	IMB_ALD_DTD int32   `parquet:"IMB_ALD_DTD,date"`
	IMB_ALD_DTF *int32  `parquet:"IMB_ALD_DTF,date,optional"`
	IMB_MLP_TAB *string `parquet:"IMB_MLP_TAB,optional"`
	IMB_MLP_BTR *string `parquet:"IMB_MLP_BTR,optional"`
	MED_MTF_COD string  `parquet:"MED_MTF_COD,dict"`
	MED_NCL_IDT string  `parquet:"MED_NCL_IDT,dict"`
	INS_DTE     int32   `parquet:"INS_DTE,date"`
}

// PRA is a line of DA_PRA_R, the professionals, with the schema's names: the
// specialty (physicians) or the profession (others) in PFS_PRA_SPE (IR_SPA_D).
type PRA struct {
	PFS_PFS_NUM string `parquet:"PFS_PFS_NUM"`
	PFS_PRA_SPE string `parquet:"PFS_PRA_SPE,dict"`
	CNV_CNV_COD string `parquet:"CNV_CNV_COD,dict"`
	PRA_IDP_DDP string `parquet:"PRA_IDP_DDP,dict"`
	IPP_SEX_COD string `parquet:"IPP_SEX_COD,dict"`
	IPP_ANN_NAI string `parquet:"IPP_ANN_NAI,dict"`
	PFS_EXC_COM string `parquet:"PFS_EXC_COM,dict"`
	PFS_COD_POS string `parquet:"PFS_COD_POS,dict"`
	PFS_LIB_COM string `parquet:"PFS_LIB_COM,dict"`
	CAI_NUM     string `parquet:"CAI_NUM,dict"`
	PFS_AMB_NBR *int32 `parquet:"PFS_AMB_NBR,optional"`
	PFS_VSL_NBR *int32 `parquet:"PFS_VSL_NBR,optional"`
	PFS_TXI_NBR *int32 `parquet:"PFS_TXI_NBR,optional"`
	DTE_ANN_TRT string `parquet:"DTE_ANN_TRT,dict"`
	DTE_MOI_FIN string `parquet:"DTE_MOI_FIN,dict"`
}

// RPPS is a line of MC_PRA_R: the RPPS of each professional (the SNDS keeps it
// elsewhere; the operational store needs it) and the commune INSEE code.
type RPPS struct {
	PFS_PFS_NUM  string  `parquet:"PFS_PFS_NUM"`
	PFS_RPPS_NUM *string `parquet:"PFS_RPPS_NUM,optional"`
	PFS_COM_COD  string  `parquet:"PFS_COM_COD,dict"`
	PFS_KIN_LIB  string  `parquet:"PFS_KIN_LIB,dict"`
}

// PHAR is a line of MC_PHA_R: the medicines the generator dispenses, with their
// ATC class (what IR_PHA_R gives in the SNDS; CIP13 codes are synthetic).
type PHAR struct {
	PHA_CIP_C13 int64  `parquet:"PHA_CIP_C13"`
	PHA_ATC_C07 string `parquet:"PHA_ATC_C07"`
	PHA_NOM_PA  string `parquet:"PHA_NOM_PA"`
	PHA_CLA_LIB string `parquet:"PHA_CLA_LIB,dict"`
	PHA_PRX_PUB int64  `parquet:"PHA_PRX_PUB,decimal(2:18)"`
	PHA_REM_TAU int32  `parquet:"PHA_REM_TAU"`
}

// ARR is a line of MC_ARR_F: one avis d'arrêt de travail (initial or
// prolongation) as received by the Service médical, with its CIM-10 motif.
type ARR struct {
	ARR_NUM     int64  `parquet:"ARR_NUM"`
	ARR_INI_NUM int64  `parquet:"ARR_INI_NUM"`
	BEN_NIR_PSA string `parquet:"BEN_NIR_PSA"`
	AAT_NAT_COD string `parquet:"AAT_NAT_COD,dict"`
	RGO_ASU_NAT int32  `parquet:"RGO_ASU_NAT"`
	ARR_PRE_DTD int32  `parquet:"ARR_PRE_DTD,date"`
	ARR_DEB_DTD int32  `parquet:"ARR_DEB_DTD,date"`
	ARR_FIN_DTD int32  `parquet:"ARR_FIN_DTD,date"`
	PFS_PRE_NUM string `parquet:"PFS_PRE_NUM,dict"`
	MED_MTF_COD string `parquet:"MED_MTF_COD,dict"`
	SIN_NUM     *int64 `parquet:"SIN_NUM,optional"`
}

// ATM is a line of MC_ATM_F: an AT/MP claim with its certificate and outcome.
type ATM struct {
	SIN_NUM     int64   `parquet:"SIN_NUM"`
	BEN_NIR_PSA string  `parquet:"BEN_NIR_PSA"`
	SIN_NAT_COD int32   `parquet:"SIN_NAT_COD"` // AT_NTU_V
	SIN_SUR_DTE int32   `parquet:"SIN_SUR_DTE,date"`
	CMI_DTE     int32   `parquet:"CMI_DTE,date"` // certificat médical initial
	PFS_PRE_NUM string  `parquet:"PFS_PRE_NUM,dict"`
	MED_MTF_COD string  `parquet:"MED_MTF_COD,dict"`
	SIN_MLP_TAB *string `parquet:"SIN_MLP_TAB,optional"`
	SIN_ISS_COD string  `parquet:"SIN_ISS_COD,dict"` // GUERISON, CONSOLIDATION, EN_COURS
	SIN_ISS_DTE *int32  `parquet:"SIN_ISS_DTE,date,optional"`
	SIN_IPP_TAU int32   `parquet:"SIN_IPP_TAU"`
}

// NIRC is a line of MC_NIR_R, the correspondence NIR ↔ pseudonym that the caisse
// keeps and the SNDS never holds; the operational store needs the NIR.
type NIRC struct {
	BEN_NIR_PSA string  `parquet:"BEN_NIR_PSA"`
	BEN_NIR     string  `parquet:"BEN_NIR"`
	BEN_RES_COM string  `parquet:"BEN_RES_COM_INSEE,dict"`
	PRS_MTT_NUM *string `parquet:"PRS_MTT_NUM,dict,optional"`
}

// AGT is a line of MC_AGT_R: the Service médical's praticiens-conseils and staff.
type AGT struct {
	AGT_MAT string `parquet:"AGT_MAT"`
	AGT_FON string `parquet:"AGT_FON,dict"`
	ORG_COD string `parquet:"ORG_COD,dict"`
	ORG_NIV string `parquet:"ORG_NIV,dict"`
}

// epoch is the Parquet DATE origin.
var epoch = medconseil.NewDate(1970, time.January, 1)

func pqDate(d medconseil.Date) int32 { return int32(d.Sub(epoch)) }

// optDate is a nullable DATE: nil for the zero date.
func optDate(d medconseil.Date) *int32 {
	if d.IsZero() {
		return nil
	}
	v := pqDate(d)
	return &v
}

// optStr is a nullable string: nil for "".
func optStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// yyyymm is a yearmonth column: "202405".
func yyyymm(d medconseil.Date) string {
	k := (d.Year()-yyyymmFrom)*12 + int(d.Month()) - 1
	if k >= 0 && k < len(yyyymmCache) {
		return yyyymmCache[k]
	}
	return fmt.Sprintf("%04d%02d", d.Year(), int(d.Month()))
}

const yyyymmFrom = 1990

var yyyymmCache = func() []string {
	out := make([]string, 0, 130*12)
	for y := yyyymmFrom; y < yyyymmFrom+130; y++ {
		for m := 1; m <= 12; m++ {
			out = append(out, fmt.Sprintf("%04d%02d", y, m))
		}
	}
	return out
}()

// table writes one Parquet file, flushing a row group every rowGroup rows so
// that memory stays bounded.
type table[T any] struct {
	name string
	f    *os.File
	bw   *bufio.Writer
	w    *parquet.GenericWriter[T]
	n    int64
	grp  int
}

const rowGroup = 500_000

// newTable opens the Parquet file of a table in dir; with dir "" the table only
// counts its rows.
func newTable[T any](dir, name string) (*table[T], error) {
	if dir == "" {
		return &table[T]{name: name}, nil
	}
	f, err := os.Create(filepath.Join(dir, name+".parquet"))
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := parquet.NewGenericWriter[T](bw,
		parquet.Compression(&zstd.Codec{Level: zstd.SpeedFastest}),
		parquet.CreatedBy("medconseil synth", "1", ""),
		parquet.PageBufferSize(256<<10),
	)
	return &table[T]{name: name, f: f, bw: bw, w: w}, nil
}

func (t *table[T]) write(rows []T) error {
	if t.w == nil {
		t.n += int64(len(rows))
		return nil
	}
	for len(rows) > 0 {
		k := min(len(rows), rowGroup-t.grp)
		if _, err := t.w.Write(rows[:k]); err != nil {
			return fmt.Errorf("%s : %w", t.name, err)
		}
		t.grp += k
		t.n += int64(k)
		rows = rows[k:]
		if t.grp >= rowGroup {
			if err := t.w.Flush(); err != nil {
				return fmt.Errorf("%s : %w", t.name, err)
			}
			t.grp = 0
		}
	}
	return nil
}

func (t *table[T]) close() error {
	if t.w == nil {
		return nil
	}
	if err := t.w.Close(); err != nil {
		t.f.Close()
		return fmt.Errorf("%s : %w", t.name, err)
	}
	if err := t.bw.Flush(); err != nil {
		t.f.Close()
		return err
	}
	return t.f.Close()
}
