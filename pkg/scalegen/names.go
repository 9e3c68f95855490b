package scalegen

import pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"

// metro is a metropolitan government (광역시·도): its real name, its
// telephone area code, and how many of the generated districts lie in it:
// its real number of 시·군·구 plus one, 243 in all, the number of
// Korea's local governments.
type metro struct {
	name      string
	area      string
	districts int
	// city: a 특별시 or 광역시, whose districts are mostly 자치구 with a
	// few 군; a 도's are 시 and 군; a 특별자치시 or 특별자치도 without 시·군·구
	// gets one 시.
	city bool
}

// metros are the 17 metropolitan governments, in the order of their
// official codes; their districts add up to 243.
var metros = []metro{
	{"서울특별시", "02", 26, true}, {"부산광역시", "051", 17, true}, {"대구광역시", "053", 10, true}, {"인천광역시", "032", 11, true},
	{"광주광역시", "062", 6, true}, {"대전광역시", "042", 6, true}, {"울산광역시", "052", 6, true}, {"세종특별자치시", "044", 1, false},
	{"경기도", "031", 32, false}, {"강원특별자치도", "033", 19, false}, {"충청북도", "043", 12, false}, {"충청남도", "041", 16, false},
	{"전북특별자치도", "063", 15, false}, {"전라남도", "061", 23, false}, {"경상북도", "054", 23, false}, {"경상남도", "055", 19, false},
	{"제주특별자치도", "064", 1, false},
}

// MaxDistricts is how many districts the generator names: one per local
// government of Korea.
const MaxDistricts = 243

// stems are made-up place names (순우리말 words, none a real district's
// name), with the romanization their ids use.
var stems = [][2]string{
	{"가람", "garam"}, {"나래", "narae"}, {"누리", "nuri"}, {"다솜", "dasom"}, {"마루", "maru"}, {"바다", "bada"},
	{"아라", "ara"}, {"한빛", "hanbit"}, {"새봄", "saebom"}, {"여울", "yeoul"}, {"은솔", "eunsol"}, {"푸름", "pureum"},
	{"별솔", "byeolsol"}, {"도담", "dodam"}, {"라온", "raon"}, {"미리내", "mirinae"}, {"보람", "boram"}, {"솔내", "solnae"},
	{"온새", "onsae"}, {"윤슬", "yunseul"}, {"이든", "ideun"}, {"초롱", "chorong"}, {"해솔", "haesol"}, {"한결", "hangyeol"},
	{"늘봄", "neulbom"}, {"단비", "danbi"}, {"들꽃", "deulkkot"}, {"모란", "moran"}, {"벼리", "byeori"}, {"새롬", "saerom"},
	{"시나래", "sinarae"}, {"아름", "areum"}, {"예솜", "yesom"}, {"찬솔", "chansol"}, {"참빛", "chambit"}, {"큰솔", "keunsol"},
	{"해담", "haedam"}, {"햇살", "haessal"}, {"고운", "goun"}, {"금빛", "geumbit"}, {"노을", "noeul"}, {"맑음", "malgeum"},
	{"샘터", "saemteo"}, {"솔뫼", "solmoe"}, {"물빛", "mulbit"}, {"늘품", "neulpum"}, {"가온", "gaon"}, {"다온", "daon"},
	{"비솔", "bisol"}, {"하람", "haram"},
}

// quarters prefix a stem to name more districts than there are stems.
var quarters = [][2]string{{"", ""}, {"동", "dong"}, {"서", "seo"}, {"남", "nam"}, {"북", "buk"}, {"중", "jung"}}

// kindSuffix is how a district of a kind ends its name.
var kindSuffix = map[pledgev1.DistrictKind]string{
	pledgev1.DistrictKind_DISTRICT_KIND_AUTONOMOUS_DISTRICT: "구",
	pledgev1.DistrictKind_DISTRICT_KIND_CITY:                "시",
	pledgev1.DistrictKind_DISTRICT_KIND_COUNTY:              "군",
}

// departments are the departments a district may have: name and id.
var departments = [][2]string{
	{"기획예산과", "planning-budget"}, {"총무과", "general-affairs"}, {"재무과", "finance"}, {"복지정책과", "welfare-policy"},
	{"여성가족과", "women-family"}, {"교육청소년과", "education-youth"}, {"문화관광과", "culture-tourism"}, {"체육진흥과", "sports"},
	{"일자리경제과", "jobs-economy"}, {"도시계획과", "urban-planning"}, {"건축과", "architecture"}, {"도로과", "roads"},
	{"교통행정과", "transport"}, {"환경과", "environment"}, {"공원녹지과", "parks"}, {"보건소", "health-center"},
	{"안전총괄과", "safety"}, {"민원여권과", "civil-service"}, {"농업정책과", "agriculture"}, {"자치행정과", "self-governance"},
}

// Titles are made of who or where, what, and what is done, as pledges'
// titles are.
var (
	titleWho = []string{"청년", "어르신", "아동", "소상공인", "마을", "골목", "하천변", "주민", "농가", "장애인",
		"1인가구", "다문화가족", "전통시장", "신혼부부", "반려동물", "통학로", "구도심", "산업단지"}
	titleWhat = []string{"일자리", "돌봄센터", "문화센터", "체육시설", "공영주차장", "작은도서관", "안전망", "복지관",
		"창업공간", "쉼터", "생활SOC", "공공와이파이", "건강검진", "녹지공간", "상생협력", "디지털교육", "주거환경"}
	titleDo = []string{"조성", "확충", "지원 확대", "설치", "운영", "건립", "개선", "강화", "활성화"}
)

// People's names are made of common family and given-name syllables;
// none is anyone's.
var (
	familyNames = []string{"김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권"}
	givenParts  = []string{"민", "서", "지", "현", "수", "영", "준", "하", "도", "윤", "은", "재", "연", "우", "진", "소"}
)

// Words of the prose sections.
var (
	teams   = []string{"정책기획팀", "사업운영팀", "시설관리팀", "지원협력팀", "주민소통팀"}
	reasons = []string{"분기 점검 결과 반영", "주민 의견 수렴 결과", "예산 확보에 따른 변경", "사업 완료 보고", "관계기관 협의 결과",
		"추진 여건 변화", "공약이행평가단 심의"}
	units       = []string{"명", "건", "개소", "회", "%", "km"}
	entryTitles = []string{"골목 정원", "마을 도서관", "청년 공방", "어린이 놀이터", "안심 귀갓길", "주민 쉼터", "공유 주방", "생태 탐방로"}
	awards      = []string{"금상", "은상", "동상", "장려상"}
)
