package demo

import (
	"context"
	"fmt"
	"slices"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

// The demo data set is fixed by the tables below: every organisation, person
// and password is deterministic, so the account list can be rebuilt at any
// time without reading the database. Every organisation and person in it is
// fictional; authority-carrying organisations say "(demo)" in their name.

// emailDomain is the domain of every demo address (.test never resolves).
const emailDomain = "demo.harambee.test"

// person is a demo account.
type person struct {
	user    string // local part of the e-mail address
	name    string
	locale  string // interface language
	country string // where they live, for the time zone
	word    string // the password is "demo-" + word + "-2026"
	roles   []string
}

func (p person) email() string    { return p.user + "@" + emailDomain }
func (p person) password() string { return "demo-" + p.word + "-2026" }

// zones is the IANA time zone of each country the demo people live in.
var zones = map[string]string{
	"CN": "Asia/Shanghai",
	"KE": "Africa/Nairobi", "TZ": "Africa/Dar_es_Salaam", "UG": "Africa/Kampala", "RW": "Africa/Kigali",
	"ET": "Africa/Addis_Ababa", "NG": "Africa/Lagos", "GH": "Africa/Accra", "SN": "Africa/Dakar",
	"CI": "Africa/Abidjan", "CM": "Africa/Douala", "EG": "Africa/Cairo", "MA": "Africa/Casablanca",
	"DZ": "Africa/Algiers", "TN": "Africa/Tunis", "AO": "Africa/Luanda", "MZ": "Africa/Maputo",
	"ZA": "Africa/Johannesburg", "ZM": "Africa/Lusaka",
}

// admin is the platform administrator; the platform makes administrators
// set up a second factor (TOTP) at their first sign-in.
var admin = person{user: "grace.wanjiru", name: "Grace Wanjiru", locale: "en", country: "KE", word: "harambee-ops",
	roles: []string{account.RoleAdmin}}

// moderator is created last: once it exists, the demo data set is complete.
var moderator = person{user: "fatou.ndiaye", name: "Fatou Ndiaye", locale: "fr", country: "SN", word: "teranga-mod",
	roles: []string{account.RoleModerator}}

// office is a module's programme office and its officer.
type office struct {
	module, name string
	officer      person
}

var offices = []office{
	{"network", "Programme office: enterprise network",
		person{user: "li.ming", name: "李明", locale: "zh-Hans", country: "CN", word: "changcheng", roles: []string{"officer:network"}}},
	{"commerce", "Programme office: Silk Road e-commerce",
		person{user: "chinedu.okafor", name: "Chinedu Okafor", locale: "en", country: "NG", word: "lagos-market", roles: []string{"officer:commerce"}}},
	{"cert", "Programme office: CERT cooperation",
		person{user: "youssef.elamrani", name: "يوسف العمراني", locale: "ar", country: "MA", word: "atlas-shield", roles: []string{"officer:cert"}}},
	{"academy", "Programme office: talent training",
		person{user: "neema.mushi", name: "Neema Mushi", locale: "sw", country: "TZ", word: "kilimanjaro", roles: []string{"officer:academy"}}},
	{"events", "Programme office: conferences and meetings",
		person{user: "chen.jing", name: "陈静", locale: "zh-Hans", country: "CN", word: "lantern-hall", roles: []string{"officer:events"}}},
	{"media", "Programme office: online media cooperation",
		person{user: "aicha.kone", name: "Aïcha Koné", locale: "fr", country: "CI", word: "ebrie-presse", roles: []string{"officer:media"}}},
	{"dataflow", "Programme office: data security and cross-border data",
		person{user: "thabo.nkosi", name: "Thabo Nkosi", locale: "en", country: "ZA", word: "table-bay", roles: []string{"officer:dataflow"}}},
	{"aigov", "Programme office: AI governance",
		person{user: "marta.nhantumbo", name: "Marta Nhantumbo", locale: "pt", country: "MZ", word: "limpopo-rio", roles: []string{"officer:aigov"}}},
	{"infra", "Programme office: telecom infrastructure",
		person{user: "zhao.lei", name: "赵磊", locale: "zh-Hans", country: "CN", word: "haidi-cable", roles: []string{"officer:infra"}}},
	{"plan", "Programme office: action plan",
		person{user: "selam.tesfaye", name: "Selam Tesfaye", locale: "en", country: "ET", word: "entoto-hills", roles: []string{"officer:plan"}}},
}

// orgSpec is a demo organisation, created by its owner. Its name and
// description are written in the owner's language; names and descs hold
// the versions in other languages that the owner added.
type orgSpec struct {
	slug, name string
	names      map[string]string
	kind       org.Kind
	country    string
	desc       string
	descs      map[string]string
	sectors    []string
	// pending leaves an authority-carrying organisation unverified, to show
	// the state; the others of those kinds are verified.
	pending    bool
	owner      person
	ownerRoles []string // organisation roles beyond admin
}

func (o orgSpec) website() string { return "https://" + o.slug + ".example.org" }

// texts is a text written in the owner's language, with its other versions.
func (o orgSpec) texts(original string, others map[string]string) text.Text {
	t := text.Text{Original: o.owner.locale, Versions: map[string]text.Version{o.owner.locale: {Text: original}}}
	for lang, s := range others {
		t.Versions[lang] = text.Version{Text: s}
	}
	return t
}

var orgs = []orgSpec{
	// Enterprises.
	{slug: "silkroad-cloud", name: "丝路云科技有限公司", kind: org.Enterprise, country: "CN",
		names:   map[string]string{"en": "Silk Road Cloud Technology Co., Ltd."},
		desc:    "为非洲企业和政府提供云计算、数据中心托管和本地化软件服务的科技企业。在内罗毕和拉各斯设有技术支持团队。",
		descs:   map[string]string{"en": "A technology company providing cloud computing, data centre hosting and localised software services to African businesses and governments. It has technical support teams in Nairobi and Lagos."},
		sectors: []string{"cloud_datacentres", "software_services"},
		owner:   person{user: "wang.fang", name: "王芳", locale: "zh-Hans", country: "CN", word: "yunduan-silu"}},
	{slug: "xinghe-devices", name: "深圳星河智能终端有限公司", kind: org.Enterprise, country: "CN",
		names:   map[string]string{"en": "Shenzhen Xinghe Smart Devices Co., Ltd."},
		desc:    "设计和制造适合非洲市场的低价智能手机与物联网终端，并在当地设有组装与维修网点。",
		sectors: []string{"devices_hardware", "digital_manufacturing"},
		owner:   person{user: "liu.yang", name: "刘洋", locale: "zh-Hans", country: "CN", word: "xinghe-zhi"}},
	{slug: "eko-payments", name: "Eko Payments Labs Ltd", kind: org.Enterprise, country: "NG",
		names:   map[string]string{"zh-Hans": "埃科支付实验室有限公司"},
		desc:    "Eko Payments Labs builds mobile payment and merchant settlement tools for small traders across West Africa. Its APIs connect local wallets with cross-border card networks.",
		sectors: []string{"payments_fintech", "software_services"},
		owner:   person{user: "ngozi.adeyemi", name: "Ngozi Adeyemi", locale: "en", country: "NG", word: "eko-settle"}},
	{slug: "sanabil-agritech", name: "سنابل للتكنولوجيا الزراعية", kind: org.Enterprise, country: "MA",
		names:   map[string]string{"fr": "Sanabil Technologies Agricoles"},
		desc:    "شركة مغربية تطوّر أجهزة استشعار وتطبيقات للري الذكي لفائدة الفلاحين الصغار. تعمل مع التعاونيات الفلاحية في جهة سوس ماسة.",
		sectors: []string{"agritech", "ai_data"},
		owner:   person{user: "salma.benali", name: "سلمى بنعلي", locale: "ar", country: "MA", word: "souss-goutte"}},
	{slug: "kwanza-logistica", name: "Kwanza Logística Digital, Lda.", kind: org.Enterprise, country: "AO",
		names:   map[string]string{"en": "Kwanza Digital Logistics"},
		desc:    "Plataforma angolana de gestão de entregas e armazéns para o comércio eletrónico. Liga as lojas online de Luanda a transportadores em todo o país.",
		sectors: []string{"ecommerce", "logistics"},
		owner:   person{user: "joao.tavares", name: "João Manuel Tavares", locale: "pt", country: "AO", word: "kwanza-frete"}},
	{slug: "imena-software", name: "Imena Software Ltd", kind: org.Enterprise, country: "RW",
		desc:    "Imena Software is a Kigali software house building digital public services and health information systems. It trains young developers through a paid apprenticeship.",
		sectors: []string{"digital_government", "healthtech", "software_services"},
		owner:   person{user: "eric.habimana", name: "Eric Habimana", locale: "en", country: "RW", word: "imisozi-code"}},

	// E-commerce platforms.
	{slug: "soko-huru", name: "Soko Huru Mtandaoni", kind: org.EcommercePlatform, country: "KE",
		names:   map[string]string{"en": "Soko Huru Online Market"},
		desc:    "Soko Huru ni soko la mtandaoni linalowaunganisha wakulima na mafundi wa Kenya na wanunuzi wa ndani na wa China. Malipo hufanyika kwa pesa za simu.",
		descs:   map[string]string{"en": "Soko Huru is an online marketplace connecting Kenyan farmers and artisans with buyers in Kenya and China. Payments are made with mobile money."},
		sectors: []string{"agritech", "ecommerce", "payments_fintech"},
		owner:   person{user: "wanjiku.kamau", name: "Wanjiku Kamau", locale: "sw", country: "KE", word: "soko-shamba"}},
	{slug: "silkroad-select", name: "丝路优选跨境电商平台", kind: org.EcommercePlatform, country: "CN",
		names:   map[string]string{"en": "Silk Road Select Cross-Border E-Commerce Platform"},
		desc:    "面向中国消费者销售非洲咖啡、茶叶、可可和手工艺品的跨境电商平台，提供清关与仓储一站式服务。",
		sectors: []string{"ecommerce", "logistics"},
		owner:   person{user: "zhang.wei", name: "张伟", locale: "zh-Hans", country: "CN", word: "youxuan-cha"}},
	{slug: "marche-teranga", name: "Marché Teranga en ligne", kind: org.EcommercePlatform, country: "SN",
		names:   map[string]string{"en": "Teranga Online Marketplace"},
		desc:    "Place de marché sénégalaise pour l'artisanat, le textile et les produits agricoles transformés. Les vendeurs gèrent leur boutique depuis un simple téléphone.",
		sectors: []string{"ecommerce", "tourism_travel"},
		owner:   person{user: "mamadou.sow", name: "Mamadou Sow", locale: "fr", country: "SN", word: "sandaga-wax"}},
	{slug: "souq-alnil", name: "سوق النيل الرقمي", kind: org.EcommercePlatform, country: "EG",
		names:      map[string]string{"en": "Nile Digital Souq"},
		desc:       "منصة مصرية للتجارة الإلكترونية تعرض المنتجات اليدوية والقطن المصري للمشترين في أفريقيا والصين. توفر خدمات الدفع والشحن للتجار الصغار.",
		sectors:    []string{"ecommerce", "payments_fintech"},
		owner:      person{user: "ahmed.mansour", name: "أحمد منصور", locale: "ar", country: "EG", word: "nile-bazaar"},
		ownerRoles: []string{"merchant"}},

	// National CERTs.
	{slug: "cert-sn", name: "CERT national du Sénégal (démo)", kind: org.NationalCERT, country: "SN",
		names: map[string]string{"en": "Senegal National CERT (demo)", "zh-Hans": "塞内加尔国家计算机应急响应组（演示）",
			"ar": "الفريق الوطني للاستجابة لحوادث الحاسوب – السنغال (تجريبي)"},
		desc:    "Équipe nationale de réponse aux incidents informatiques, fictive, créée pour la démonstration. Elle coordonne le traitement des incidents avec ses homologues africains et chinois.",
		descs:   map[string]string{"en": "A fictional national computer incident response team created for the demonstration. It coordinates incident handling with its African and Chinese counterparts."},
		sectors: []string{"cybersecurity", "digital_government"},
		owner:   person{user: "ousmane.fall", name: "Ousmane Fall", locale: "fr", country: "SN", word: "goree-vigie"}},
	{slug: "cert-tz", name: "Timu ya Taifa ya Kukabiliana na Matukio ya Kompyuta – Tanzania (demo)", kind: org.NationalCERT, country: "TZ",
		names: map[string]string{"en": "Tanzania National Computer Emergency Response Team (demo)", "zh-Hans": "坦桑尼亚国家计算机应急响应组（演示）",
			"fr": "Équipe nationale de réponse aux urgences informatiques – Tanzanie (démo)"},
		desc:       "Timu ya kitaifa ya kubuni iliyoundwa kwa ajili ya maonyesho. Inaratibu ushughulikiaji wa matukio ya usalama mtandaoni na kushirikiana na timu nyingine za Afrika Mashariki.",
		sectors:    []string{"cybersecurity", "digital_government"},
		owner:      person{user: "baraka.mollel", name: "Baraka Mollel", locale: "sw", country: "TZ", word: "ngorongoro"},
		ownerRoles: []string{"cert_analyst"}},
	{slug: "cert-dz", name: "الفريق الوطني للاستجابة لحوادث الحاسوب – الجزائر (تجريبي)", kind: org.NationalCERT, country: "DZ",
		names: map[string]string{"fr": "Équipe nationale de réponse aux incidents informatiques – Algérie (démo)",
			"en": "Algeria National Computer Incident Response Team (demo)", "zh-Hans": "阿尔及利亚国家计算机事件响应组（演示）"},
		desc:    "فريق وطني وهمي أُنشئ لأغراض العرض، يتولى تنسيق معالجة الحوادث السيبرانية وتبادل مؤشرات التهديد مع نظرائه في أفريقيا والصين.",
		sectors: []string{"cybersecurity"},
		owner:   person{user: "karim.bouzid", name: "كريم بوزيد", locale: "ar", country: "DZ", word: "casbah-guard"}},
	{slug: "cert-gh", name: "Ghana National CERT (demo)", kind: org.NationalCERT, country: "GH", pending: true,
		names:   map[string]string{"zh-Hans": "加纳国家计算机应急响应组（演示）", "fr": "CERT national du Ghana (démo)"},
		desc:    "A fictional national computer emergency response team created for the demonstration. Its verification by the platform is still pending.",
		sectors: []string{"cybersecurity", "digital_government"},
		owner:   person{user: "kwame.mensah", name: "Kwame Mensah", locale: "en", country: "GH", word: "adinkra-eye"}},

	// Sector CERTs.
	{slug: "fincert-ng", name: "Nigerian Financial Sector CSIRT (demo)", kind: org.SectorCERT, country: "NG",
		names:   map[string]string{"zh-Hans": "尼日利亚金融行业计算机安全事件响应组（演示）"},
		desc:    "A fictional incident response team for banks, payment processors and mobile money operators. It shares fraud and phishing indicators with its member institutions.",
		sectors: []string{"cybersecurity", "payments_fintech"},
		owner:   person{user: "seun.bello", name: "Oluwaseun Bello", locale: "en", country: "NG", word: "naira-guard"}},
	{slug: "telecom-cert-cn", name: "中非电信行业网络安全应急中心（演示）", kind: org.SectorCERT, country: "CN",
		names: map[string]string{"en": "China–Africa Telecom Sector Cybersecurity Emergency Response Centre (demo)",
			"fr": "Centre sino-africain de réponse aux urgences de cybersécurité du secteur des télécommunications (démo)",
			"ar": "المركز الصيني الأفريقي للاستجابة لطوارئ الأمن السيبراني في قطاع الاتصالات (تجريبي)"},
		desc:       "虚构的电信行业应急响应团队，协调运营商之间的网络安全事件处置，并与非洲各国CERT共享威胁情报。",
		sectors:    []string{"cybersecurity", "telecom_networks"},
		owner:      person{user: "sun.li", name: "孙丽", locale: "zh-Hans", country: "CN", word: "yingji-xy"},
		ownerRoles: []string{"cert_analyst"}},
	{slug: "csirt-energie-ci", name: "CSIRT du secteur de l'énergie – Côte d'Ivoire (démo)", kind: org.SectorCERT, country: "CI", pending: true,
		names:   map[string]string{"en": "Côte d'Ivoire Energy Sector CSIRT (demo)", "zh-Hans": "科特迪瓦能源行业计算机安全事件响应组（演示）"},
		desc:    "Équipe fictive de réponse aux incidents pour les producteurs et distributeurs d'électricité. Sa vérification par la plateforme est en attente.",
		sectors: []string{"cybersecurity", "energy_tech"},
		owner:   person{user: "yao.kouassi", name: "Yao Kouassi", locale: "fr", country: "CI", word: "bandama-volt"}},

	// Government agencies.
	{slug: "digital-mombasa", name: "Idara ya Ubunifu wa Kidijitali – Kaunti ya Mombasa (demo)", kind: org.GovernmentAgency, country: "KE",
		names:   map[string]string{"en": "Mombasa County Department of Digital Innovation (demo)"},
		desc:    "Idara ya kubuni ya serikali ya kaunti inayosimamia huduma za serikali mtandao na mafunzo ya ujuzi wa kidijitali kwa vijana.",
		sectors: []string{"digital_government", "edtech_training"},
		owner:   person{user: "hassan.omar", name: "Hassan Omar", locale: "sw", country: "KE", word: "pwani-huduma"}},
	{slug: "addis-digital", name: "Addis Digital Services Agency (demo)", kind: org.GovernmentAgency, country: "ET",
		desc:    "A fictional government agency that runs online public services and a digital identity pilot. It publishes open data on how the services are used.",
		sectors: []string{"ai_data", "digital_government"},
		owner:   person{user: "dawit.bekele", name: "Dawit Bekele", locale: "en", country: "ET", word: "meskel-day"}},
	{slug: "services-numeriques-cm", name: "Agence camerounaise des services numériques (démo)", kind: org.GovernmentAgency, country: "CM",
		names:   map[string]string{"en": "Cameroon Digital Services Agency (demo)"},
		desc:    "Agence publique fictive chargée de la numérisation des démarches administratives et de l'accès au haut débit dans les régions.",
		sectors: []string{"digital_government", "telecom_networks"},
		owner:   person{user: "jean-paul.mbarga", name: "Jean-Paul Mbarga", locale: "fr", country: "CM", word: "sanaga-gov"}},
	{slug: "zhongfei-digital-centre", name: "中非数字合作促进中心（演示）", kind: org.GovernmentAgency, country: "CN",
		names:   map[string]string{"en": "China–Africa Digital Cooperation Promotion Centre (demo)"},
		desc:    "虚构的政府机构，负责推动中非数字经济合作项目的对接、政策交流和能力建设。",
		sectors: []string{"digital_government", "standards_research"},
		owner:   person{user: "zhou.min", name: "周敏", locale: "zh-Hans", country: "CN", word: "hezuo-cujin"}},
	{slug: "e-admin-tn", name: "الوكالة التونسية للإدارة الرقمية (تجريبي)", kind: org.GovernmentAgency, country: "TN",
		names:   map[string]string{"fr": "Agence tunisienne de l'administration numérique (démo)"},
		desc:    "وكالة حكومية وهمية مكلفة برقمنة الخدمات الإدارية وتطوير بوابة الخدمات العمومية على الخط.",
		sectors: []string{"digital_government"},
		owner:   person{user: "mariem.chebbi", name: "مريم الشابي", locale: "ar", country: "TN", word: "carthage-net"}},

	// Regulators.
	{slug: "regulation-numerique-ci", name: "Autorité ivoirienne de régulation du numérique (démo)", kind: org.Regulator, country: "CI",
		names:   map[string]string{"en": "Côte d'Ivoire Digital Regulatory Authority (demo)"},
		desc:    "Autorité administrative fictive chargée de la régulation des télécommunications, de la protection des consommateurs en ligne et de la gestion du spectre.",
		sectors: []string{"digital_government", "telecom_networks"},
		owner:   person{user: "awa.coulibaly", name: "Awa Coulibaly", locale: "fr", country: "CI", word: "plateau-law"}},
	{slug: "ecommerce-regulator-eg", name: "الجهاز المصري لتنظيم التجارة الإلكترونية (تجريبي)", kind: org.Regulator, country: "EG",
		names:   map[string]string{"en": "Egyptian E-Commerce Regulatory Authority (demo)"},
		desc:    "جهة تنظيمية وهمية تضع قواعد حماية المستهلك في التجارة الإلكترونية وتراقب المنصات العاملة في السوق المصرية.",
		sectors: []string{"ecommerce", "digital_government"},
		owner:   person{user: "nour.farouk", name: "نور الهدى فاروق", locale: "ar", country: "EG", word: "delta-rules"}},
	{slug: "digital-markets-zm", name: "Zambia Digital Markets Authority (demo)", kind: org.Regulator, country: "ZM",
		desc:    "A fictional regulator for online marketplaces, digital payments and consumer protection. It publishes guidance for cross-border sellers.",
		sectors: []string{"ecommerce", "payments_fintech"},
		owner:   person{user: "chanda.mulenga", name: "Chanda Mulenga", locale: "en", country: "ZM", word: "zambezi-mkt"}},
	{slug: "arcd-mz", name: "Autoridade Reguladora das Comunicações Digitais de Moçambique (demo)", kind: org.Regulator, country: "MZ",
		names:   map[string]string{"en": "Mozambique Digital Communications Regulatory Authority (demo)"},
		desc:    "Entidade reguladora fictícia das telecomunicações, do espectro e da proteção de dados pessoais. Publica relatórios trimestrais sobre a qualidade do serviço.",
		sectors: []string{"cybersecurity", "telecom_networks"},
		owner:   person{user: "ana.machava", name: "Ana Machava", locale: "pt", country: "MZ", word: "maputo-onda"}},

	// Media outlets.
	{slug: "sauti-dijitali", name: "Sauti ya Afrika Mashariki Dijitali", kind: org.MediaOutlet, country: "TZ",
		desc:       "Chombo cha habari cha mtandaoni kinachoripoti kuhusu teknolojia, biashara na ushirikiano kati ya Afrika na China kwa lugha ya Kiswahili.",
		sectors:    []string{"media_content"},
		owner:      person{user: "rehema.said", name: "Rehema Said", locale: "sw", country: "TZ", word: "habari-pwani"},
		ownerRoles: []string{"editor"}},
	{slug: "zhongfei-observer", name: "中非数字观察", kind: org.MediaOutlet, country: "CN",
		names:   map[string]string{"en": "China–Africa Digital Observer"},
		desc:    "关注中非数字经济合作的中文新闻网站，提供深度报道、人物访谈和数据新闻。",
		sectors: []string{"ai_data", "media_content"},
		owner:   person{user: "lin.xiaoyan", name: "林晓燕", locale: "zh-Hans", country: "CN", word: "guancha-wang"}},
	{slug: "quotidien-numerique", name: "Le Quotidien numérique d'Abidjan", kind: org.MediaOutlet, country: "CI",
		desc:    "Quotidien en ligne consacré à l'économie numérique en Afrique de l'Ouest. Il échange des contenus avec des rédactions partenaires en Chine.",
		sectors: []string{"media_content"},
		owner:   person{user: "serge.kouadio", name: "Serge Kouadio", locale: "fr", country: "CI", word: "cocody-une"}},

	// Think tanks.
	{slug: "padpi", name: "Pan-African Digital Policy Institute", kind: org.ThinkTank, country: "ZA",
		names:   map[string]string{"fr": "Institut panafricain de politique numérique", "pt": "Instituto Pan-Africano de Política Digital", "zh-Hans": "泛非数字政策研究所"},
		desc:    "An independent research institute studying data governance, digital trade and AI policy across the continent. It publishes open policy briefs in four languages.",
		sectors: []string{"ai_data", "standards_research"},
		owner:   person{user: "lindiwe.dlamini", name: "Lindiwe Dlamini", locale: "en", country: "ZA", word: "ubuntu-brief"}},
	{slug: "maghreb-digital-studies", name: "مركز المغرب الكبير للدراسات الرقمية", kind: org.ThinkTank, country: "MA",
		names:   map[string]string{"fr": "Centre du Grand Maghreb pour les études numériques"},
		desc:    "مركز أبحاث مستقل يدرس السياسات الرقمية وحوكمة البيانات في شمال أفريقيا، وينظم حوارات سنوية مع باحثين صينيين.",
		sectors: []string{"ai_data", "standards_research"},
		owner:   person{user: "omar.idrissi", name: "عمر الإدريسي", locale: "ar", country: "MA", word: "fes-research"}},
	{slug: "nannan-governance", name: "南南数字治理研究院", kind: org.ThinkTank, country: "CN",
		names:   map[string]string{"en": "South–South Institute for Digital Governance"},
		desc:    "研究数字治理、跨境数据流动和人工智能伦理的独立智库，与非洲研究机构开展联合研究。",
		sectors: []string{"ai_data", "standards_research"},
		owner:   person{user: "wu.ting", name: "吴婷", locale: "zh-Hans", country: "CN", word: "zhili-yanjiu"}},

	// Universities.
	{slug: "univ-numerique-douala", name: "Université numérique de Douala", kind: org.University, country: "CM",
		names:   map[string]string{"en": "Douala Digital University"},
		desc:    "Université fictive proposant des formations en génie logiciel, cybersécurité et science des données, en présentiel et à distance.",
		sectors: []string{"cybersecurity", "edtech_training"},
		owner:   person{user: "beatrice.nkoulou", name: "Béatrice Nkoulou", locale: "fr", country: "CM", word: "wouri-campus"}},
	{slug: "arusha-tech", name: "Chuo Kikuu cha Teknolojia Arusha", kind: org.University, country: "TZ",
		names:   map[string]string{"en": "Arusha University of Technology"},
		desc:    "Chuo kikuu cha kubuni kinachotoa shahada za uhandisi wa programu na mafunzo ya ujuzi wa kidijitali kwa walimu.",
		sectors: []string{"edtech_training", "software_services"},
		owner:   person{user: "mwanaisha.juma", name: "Mwanaisha Juma", locale: "sw", country: "TZ", word: "meru-chuo"}},
	{slug: "changjiang-digital", name: "长江数字工程学院", kind: org.University, country: "CN",
		names:      map[string]string{"en": "Changjiang Institute of Digital Engineering"},
		desc:       "以通信工程和人工智能为特色的高校，每年为非洲学员开设短期培训班和研究生项目。",
		sectors:    []string{"ai_data", "edtech_training", "telecom_networks"},
		owner:      person{user: "xu.gang", name: "徐刚", locale: "zh-Hans", country: "CN", word: "changjiang-3"},
		ownerRoles: []string{"trainer"}},
	{slug: "volta-tech", name: "Volta University of Technology", kind: org.University, country: "GH",
		desc:    "A fictional technical university with programmes in networking, embedded systems and data science. It hosts a regional digital skills hub.",
		sectors: []string{"devices_hardware", "edtech_training"},
		owner:   person{user: "akosua.boateng", name: "Akosua Boateng", locale: "en", country: "GH", word: "volta-lab"}},

	// Telecom operators.
	{slug: "savanna-mobile", name: "Savanna Mobile Uganda Ltd", kind: org.TelecomOperator, country: "UG",
		desc:    "Savanna Mobile runs a 4G and 5G network in central and western Uganda, with mobile money and rural connectivity programmes.",
		sectors: []string{"payments_fintech", "telecom_networks"},
		owner:   person{user: "joseph.okello", name: "Joseph Okello", locale: "en", country: "UG", word: "savanna-4g"}},
	{slug: "xingqiao-comms", name: "星桥通信股份有限公司", kind: org.TelecomOperator, country: "CN",
		names:   map[string]string{"en": "Xingqiao Communications Co., Ltd."},
		desc:    "从事海底光缆、卫星通信和数据中心互联业务的通信运营商，在东非和北非设有登陆站。",
		sectors: []string{"cloud_datacentres", "satellite_space", "telecom_networks"},
		owner:   person{user: "zheng.hua", name: "郑华", locale: "zh-Hans", country: "CN", word: "xingqiao-sat"}},
	{slug: "atlas-fibre", name: "شبكات الأطلس للألياف البصرية", kind: org.TelecomOperator, country: "MA",
		names:   map[string]string{"fr": "Réseaux Atlas de fibre optique"},
		desc:    "مشغل مغربي للألياف البصرية يربط المدن المتوسطة والمناطق الصناعية بشبكة عالية السرعة.",
		sectors: []string{"telecom_networks"},
		owner:   person{user: "hamza.tazi", name: "حمزة التازي", locale: "ar", country: "MA", word: "atlas-fibre"}},
	{slug: "indico-telecom", name: "Índico Telecomunicações, S.A.", kind: org.TelecomOperator, country: "MZ",
		desc:    "Operadora móvel com cobertura nas províncias do norte de Moçambique. Oferece dinheiro móvel e internet para escolas rurais.",
		sectors: []string{"payments_fintech", "telecom_networks"},
		owner:   person{user: "carlos.cossa", name: "Carlos Cossa", locale: "pt", country: "MZ", word: "indico-rede"}},

	// Other organisations.
	{slug: "ubumwe-hub", name: "Ubumwe Tech Hub", kind: org.Other, country: "RW",
		names:   map[string]string{"fr": "Pôle technologique Ubumwe"},
		desc:    "A community innovation hub in Kigali offering co-working, hardware labs and start-up mentoring. It runs joint bootcamps with Chinese incubators.",
		sectors: []string{"edtech_training", "software_services"},
		owner:   person{user: "aline.uwase", name: "Aline Uwase", locale: "en", country: "RW", word: "ubumwe-lab"}},
	{slug: "femmes-numerique-cm", name: "Association des femmes du numérique du Cameroun", kind: org.Other, country: "CM",
		names:   map[string]string{"en": "Cameroon Association of Women in Digital"},
		desc:    "Association qui forme des femmes entrepreneures au commerce en ligne et à la cybersécurité, dans les dix régions du pays.",
		sectors: []string{"ecommerce", "edtech_training"},
		owner:   person{user: "christelle.manga", name: "Christelle Manga", locale: "fr", country: "CM", word: "mfoundi-tech"}},
}

// member is a demo person who joins an organisation they did not create.
type member struct {
	person
	org   string
	roles []string // organisation roles, member included
}

var members = []member{
	{person{user: "hirut.alemu", name: "Hirut Alemu", locale: "en", country: "ET", word: "blue-nile"}, "addis-digital",
		[]string{org.RoleMember}},
	{person{user: "aminata.diallo", name: "Aminata Diallo", locale: "fr", country: "SN", word: "baobab-ioc"}, "cert-sn",
		[]string{org.RoleMember, "cert_analyst"}},
	{person{user: "achieng.odhiambo", name: "Achieng Odhiambo", locale: "sw", country: "KE", word: "kahawa-duka"}, "soko-huru",
		[]string{org.RoleMember, "merchant"}},
	{person{user: "paul.essomba", name: "Paul Essomba", locale: "fr", country: "CM", word: "ndole-cours"}, "univ-numerique-douala",
		[]string{org.RoleMember, "trainer"}},
	{person{user: "mariam.traore", name: "Mariam Traoré", locale: "fr", country: "CI", word: "attieke-une"}, "quotidien-numerique",
		[]string{org.RoleMember, "editor"}},
}

// accounts is the demo account list, rebuilt from the tables.
func accounts() []Account {
	acct := func(p person, slug, kind string, orgRoles []string) Account {
		roles := append(append([]string{}, p.roles...), orgRoles...)
		return Account{Email: p.email(), Password: p.password(), Name: p.name, Roles: roles, Org: slug, OrgKind: kind}
	}
	out := []Account{acct(admin, "", "", nil), acct(moderator, "", "", nil)}
	for _, o := range offices {
		out = append(out, acct(o.officer, "office-"+o.module, string(org.ProgrammeOffice), []string{org.RoleMember}))
	}
	for _, o := range orgs {
		out = append(out, acct(o.owner, o.slug, string(o.kind), append([]string{org.RoleAdmin}, o.ownerRoles...)))
		for _, m := range members {
			if m.org == o.slug {
				out = append(out, acct(m.person, o.slug, string(o.kind), m.roles))
			}
		}
	}
	return out
}

func load(ctx context.Context, a *app.App) ([]Account, error) {
	list := accounts()
	// The moderator is created last, so their account says the set is complete.
	if _, err := a.Accounts.UserByEmail(ctx, moderator.email()); err == nil {
		return list, nil
	} else if !errs.Is(err, errs.NotFound) {
		return nil, err
	}
	// Every step below skips what exists already, so an interrupted load resumes.
	adm, err := ensureUser(ctx, a, admin)
	if err != nil {
		return nil, err
	}
	adminViewer := viewer(adm)
	for _, o := range offices {
		if _, err := a.Orgs.CreateOffice(ctx, o.module, o.name); err != nil {
			return nil, fmt.Errorf("office %s: %w", o.module, err)
		}
		u, err := ensureUser(ctx, a, o.officer)
		if err != nil {
			return nil, err
		}
		if err := a.Orgs.AddMember(ctx, "office-"+o.module, u.ID, []string{org.RoleMember}); err != nil {
			return nil, fmt.Errorf("office %s: %w", o.module, err)
		}
	}
	for _, spec := range orgs {
		owner, err := ensureUser(ctx, a, spec.owner)
		if err != nil {
			return nil, err
		}
		o, err := ensureOrg(ctx, a, owner, spec)
		if err != nil {
			return nil, err
		}
		if len(spec.ownerRoles) > 0 {
			if err := a.Orgs.AddMember(ctx, spec.slug, owner.ID, append([]string{org.RoleAdmin}, spec.ownerRoles...)); err != nil {
				return nil, fmt.Errorf("organisation %s: %w", spec.slug, err)
			}
		}
		if spec.kind.CarriesAuthority() && !spec.pending && !o.Verified {
			if err := a.Orgs.SetVerified(ctx, adminViewer, o, true, ""); err != nil {
				return nil, fmt.Errorf("verify %s: %w", spec.slug, err)
			}
		}
	}
	for _, m := range members {
		u, err := ensureUser(ctx, a, m.person)
		if err != nil {
			return nil, err
		}
		if err := a.Orgs.AddMember(ctx, m.org, u.ID, slices.Clone(m.roles)); err != nil {
			return nil, fmt.Errorf("member of %s: %w", m.org, err)
		}
	}
	if err := ensureAgreements(ctx, a); err != nil {
		return nil, err
	}
	if err := ensureNetwork(ctx, a, adm); err != nil {
		return nil, err
	}
	if err := ensureCERT(ctx, a, adm); err != nil {
		return nil, err
	}
	if _, err := ensureUser(ctx, a, moderator); err != nil {
		return nil, err
	}
	if a.Log != nil {
		a.Log.Info("demo data loaded", "organisations", len(orgs), "programme_offices", len(offices), "accounts", len(list))
		a.Log.Info("the demo administrator sets up a second factor (TOTP) at first sign-in", "email", admin.email())
	}
	return list, nil
}

// ensureUser returns the person's account, creating it if needed.
func ensureUser(ctx context.Context, a *app.App, p person) (*account.User, error) {
	u, err := a.Accounts.UserByEmail(ctx, p.email())
	if err == nil {
		return u, nil
	}
	if !errs.Is(err, errs.NotFound) {
		return nil, err
	}
	zone, ok := zones[p.country]
	if !ok {
		zone = "UTC"
	}
	u, err = a.Accounts.Create(ctx, account.NewUser{Email: p.email(), Name: p.name, Password: p.password(),
		Locale: p.locale, TimeZone: zone, Confirmed: true, Roles: slices.Clone(p.roles)})
	if err != nil {
		return nil, fmt.Errorf("account %s: %w", p.email(), err)
	}
	return u, nil
}

// ensureOrg returns the organisation, which its owner creates if needed.
func ensureOrg(ctx context.Context, a *app.App, owner *account.User, spec orgSpec) (*org.Org, error) {
	o, err := a.Orgs.BySlug(ctx, spec.slug)
	if err == nil {
		if o.Kind != spec.kind {
			return nil, fmt.Errorf("organisation %s: the address is taken by another organisation", spec.slug)
		}
		return o, nil
	}
	if !errs.Is(err, errs.NotFound) {
		return nil, err
	}
	o, err = a.Orgs.Create(ctx, viewer(owner), org.Input{Names: spec.texts(spec.name, spec.names), Slug: spec.slug, Kind: string(spec.kind),
		Country: spec.country, Website: spec.website(), Description: spec.texts(spec.desc, spec.descs), Sectors: slices.Clone(spec.sectors)}, "")
	if err != nil {
		return nil, fmt.Errorf("organisation %s: %w", spec.slug, err)
	}
	return o, nil
}

// viewer is the person as the services expect a signed-in caller.
func viewer(u *account.User) *web.Viewer {
	return &web.Viewer{ID: u.ID, Pseudonym: u.Pseudonym, Email: u.Email, Name: u.Name, Locale: u.Locale,
		TimeZone: u.TimeZone, Roles: u.Roles}
}
