using System.Collections.Frozen;

namespace HeavyJobs.Whois.Parsing;

/// <summary>The words inside registry dates: month and weekday names in several languages, and zone abbreviations.</summary>
internal static class WhoisDateWords
{
    // Full names; any prefix of three letters or more matches, so "Jan", "Sept", "janv", "ene", "dez" all work.
    // Ordered so that the English reading wins where a prefix is shared ("mar" is March, "jun" is June).
    private static readonly (string Name, int Month)[] _months =
    [
        ("january", 1), ("february", 2), ("march", 3), ("april", 4), ("may", 5), ("june", 6),
        ("july", 7), ("august", 8), ("september", 9), ("october", 10), ("november", 11), ("december", 12),
        ("sept", 9),

        // Spanish, Portuguese, French, German, Italian, Dutch.
        ("enero", 1), ("febrero", 2), ("marzo", 3), ("abril", 4), ("mayo", 5), ("junio", 6),
        ("julio", 7), ("agosto", 8), ("septiembre", 9), ("setiembre", 9), ("octubre", 10), ("noviembre", 11), ("diciembre", 12),
        ("janeiro", 1), ("fevereiro", 2), ("março", 3), ("marco", 3), ("maio", 5), ("junho", 6),
        ("julho", 7), ("setembro", 9), ("outubro", 10), ("novembro", 11), ("dezembro", 12),
        ("janvier", 1), ("février", 2), ("fevrier", 2), ("mars", 3), ("avril", 4), ("mai", 5), ("juin", 6),
        ("juillet", 7), ("août", 8), ("aout", 8), ("septembre", 9), ("octobre", 10), ("novembre", 11), ("décembre", 12),
        ("januar", 1), ("februar", 2), ("märz", 3), ("maerz", 3), ("juni", 6), ("juli", 7), ("oktober", 10), ("dezember", 12),
        ("gennaio", 1), ("febbraio", 2), ("aprile", 4), ("maggio", 5), ("giugno", 6), ("luglio", 7),
        ("settembre", 9), ("ottobre", 10), ("dicembre", 12),
        ("januari", 1), ("februari", 2), ("maart", 3), ("mei", 5), ("augustus", 8),

        // Polish, Czech, Hungarian and Turkish, with the genitive forms dates use ("14 marca", "14. března").
        ("styczeń", 1), ("stycznia", 1), ("luty", 2), ("lutego", 2), ("marzec", 3), ("marca", 3), ("kwiecień", 4), ("kwietnia", 4),
        ("maj", 5), ("maja", 5), ("czerwiec", 6), ("czerwca", 6), ("lipiec", 7), ("lipca", 7), ("sierpień", 8), ("sierpnia", 8),
        ("wrzesień", 9), ("września", 9), ("październik", 10), ("października", 10), ("listopad", 11), ("listopada", 11),
        ("grudzień", 12), ("grudnia", 12),
        ("leden", 1), ("ledna", 1), ("únor", 2), ("února", 2), ("březen", 3), ("března", 3), ("duben", 4), ("dubna", 4),
        ("květen", 5), ("května", 5), ("červen", 6), ("června", 6), ("červenec", 7), ("července", 7), ("srpen", 8), ("srpna", 8),
        ("září", 9), ("říjen", 10), ("října", 10), ("listopadu", 11), ("prosinec", 12), ("prosince", 12),
        ("január", 1), ("február", 2), ("március", 3), ("április", 4), ("május", 5), ("június", 6), ("július", 7),
        ("augusztus", 8), ("szeptember", 9), ("október", 10),
        ("ocak", 1), ("şubat", 2), ("subat", 2), ("mart", 3), ("nisan", 4), ("mayıs", 5), ("mayis", 5), ("haziran", 6),
        ("temmuz", 7), ("ağustos", 8), ("agustos", 8), ("eylül", 9), ("eylul", 9), ("ekim", 10), ("kasım", 11), ("kasim", 11),
        ("aralık", 12), ("aralik", 12),

        // Russian, nominative and genitive.
        ("январь", 1), ("января", 1), ("февраль", 2), ("февраля", 2), ("март", 3), ("марта", 3), ("апрель", 4), ("апреля", 4),
        ("май", 5), ("мая", 5), ("июнь", 6), ("июня", 6), ("июль", 7), ("июля", 7), ("август", 8), ("августа", 8),
        ("сентябрь", 9), ("сентября", 9), ("октябрь", 10), ("октября", 10), ("ноябрь", 11), ("ноября", 11),
        ("декабрь", 12), ("декабря", 12),

        // Nordic (Swedish "augusti", Norwegian "desember", Icelandic), Finnish in the partitive dates use ("14. maaliskuuta";
        // a prefix also matches the nominative), Estonian.
        ("augusti", 8), ("desember", 12),
        ("janúar", 1), ("febrúar", 2), ("apríl", 4), ("maí", 5), ("júní", 6), ("júlí", 7), ("ágúst", 8), ("nóvember", 11),
        ("tammikuuta", 1), ("helmikuuta", 2), ("maaliskuuta", 3), ("huhtikuuta", 4), ("toukokuuta", 5), ("kesäkuuta", 6),
        ("heinäkuuta", 7), ("elokuuta", 8), ("syyskuuta", 9), ("lokakuuta", 10), ("marraskuuta", 11), ("joulukuuta", 12),
        ("jaanuar", 1), ("veebruar", 2), ("märts", 3), ("aprill", 4), ("juuni", 6), ("juuli", 7), ("oktoober", 10), ("detsember", 12),

        // Romanian, Catalan, Serbian (Latin and Cyrillic), Indonesian and Malay, Azerbaijani and other Latin transliterations.
        ("ianuarie", 1), ("februarie", 2), ("martie", 3), ("aprilie", 4), ("iunie", 6), ("iulie", 7), ("septembrie", 9),
        ("octombrie", 10), ("noiembrie", 11), ("decembrie", 12),
        ("gener", 1), ("febrer", 2), ("març", 3), ("maig", 5), ("juny", 6), ("juliol", 7), ("setembre", 9), ("desembre", 12),
        ("avgust", 8), ("septembar", 9), ("oktobar", 10), ("novembar", 11), ("decembar", 12),
        ("јануар", 1), ("фебруар", 2), ("април", 4), ("мај", 5), ("јун", 6), ("јул", 7), ("септембар", 9), ("октобар", 10),
        ("новембар", 11), ("децембар", 12),
        ("maret", 3), ("nopember", 11), ("pebruari", 2), ("mac", 3), ("julai", 7), ("ogos", 8), ("disember", 12),
        ("yanvar", 1), ("fevral", 2), ("aprel", 4), ("iyun", 6), ("iyul", 7), ("avqust", 8), ("sentyabr", 9), ("oktyabr", 10),
        ("noyabr", 11), ("dekabr", 12),

        // Danish and Latvian "marts", Dutch "mrt", German "Mrz"; Slovak and Slovene; Croatian, genitive and nominative
        // (not "listopad", which is October there but November in Polish and Czech, listed first); Serbian and Bosnian
        // genitives (those Slovak does not share); Lithuanian, genitive and nominative; Latvian; Indonesian "Agustus" and "Agt".
        ("marts", 3), ("mrt", 3), ("mrz", 3),
        ("januára", 1), ("februára", 2), ("apríla", 4), ("mája", 5), ("júna", 6), ("júla", 7), ("augusta", 8),
        ("septembra", 9), ("októbra", 10), ("novembra", 11), ("decembra", 12),
        ("marec", 3), ("junij", 6), ("julij", 7),
        ("siječnja", 1), ("siječanj", 1), ("veljače", 2), ("veljača", 2), ("ožujka", 3), ("ožujak", 3), ("travnja", 4),
        ("travanj", 4), ("svibnja", 5), ("svibanj", 5), ("lipnja", 6), ("lipanj", 6), ("srpnja", 7), ("srpanj", 7),
        ("kolovoza", 8), ("kolovoz", 8), ("rujna", 9), ("rujan", 9), ("studenoga", 11), ("studenog", 11), ("studeni", 11),
        ("prosinca", 12), ("prosinac", 12),
        ("januara", 1), ("februara", 2), ("marta", 3), ("aprila", 4), ("juna", 6), ("jula", 7), ("avgusta", 8), ("oktobra", 10),
        ("sausio", 1), ("sausis", 1), ("vasario", 2), ("vasaris", 2), ("kovo", 3), ("kovas", 3), ("balandžio", 4),
        ("balandis", 4), ("gegužės", 5), ("gegužė", 5), ("birželio", 6), ("birželis", 6), ("liepos", 7), ("liepa", 7),
        ("rugpjūčio", 8), ("rugpjūtis", 8), ("rugsėjo", 9), ("rugsėjis", 9), ("spalio", 10), ("spalis", 10),
        ("lapkričio", 11), ("lapkritis", 11), ("gruodžio", 12), ("gruodis", 12),
        ("janvāris", 1), ("februāris", 2), ("aprīlis", 4), ("maijs", 5), ("jūnijs", 6), ("jūlijs", 7), ("augusts", 8),
        ("septembris", 9), ("oktobris", 10), ("novembris", 11), ("decembris", 12),
        ("agustus", 8), ("agt", 8),

        // Ukrainian, genitive and nominative.
        ("січня", 1), ("січень", 1), ("лютого", 2), ("лютий", 2), ("березня", 3), ("березень", 3), ("квітня", 4), ("квітень", 4),
        ("травня", 5), ("травень", 5), ("червня", 6), ("червень", 6), ("липня", 7), ("липень", 7), ("серпня", 8), ("серпень", 8),
        ("вересня", 9), ("вересень", 9), ("жовтня", 10), ("жовтень", 10), ("листопада", 11), ("листопад", 11),
        ("грудня", 12), ("грудень", 12),

        // Bulgarian and Macedonian where they differ from Russian and Serbian.
        ("януари", 1), ("февруари", 2), ("юни", 6), ("юли", 7), ("септември", 9), ("октомври", 10), ("ноември", 11),
        ("декември", 12), ("јануари", 1), ("јуни", 6), ("јули", 7),

        // Greek, genitive and nominative.
        ("ιανουαρίου", 1), ("ιανουάριος", 1), ("φεβρουαρίου", 2), ("φεβρουάριος", 2), ("μαρτίου", 3), ("μάρτιος", 3),
        ("απριλίου", 4), ("απρίλιος", 4), ("μαΐου", 5), ("μάιος", 5), ("ιουνίου", 6), ("ιούνιος", 6), ("ιουλίου", 7), ("ιούλιος", 7),
        ("αυγούστου", 8), ("αύγουστος", 8), ("σεπτεμβρίου", 9), ("σεπτέμβριος", 9), ("οκτωβρίου", 10), ("οκτώβριος", 10),
        ("νοεμβρίου", 11), ("νοέμβριος", 11), ("δεκεμβρίου", 12), ("δεκέμβριος", 12),
    ];

    private static readonly string[] _weekdays =
    [
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "lunes", "martes", "miércoles", "miercoles", "jueves", "viernes", "sábado", "sabado", "domingo",
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
        "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
    ];

    // Abbreviations with one meaning in registry answers. Ambiguous ones (CST, IST, BST, AST) are left out: a wrong
    // zone is worse than reading the time as UTC.
    private static readonly FrozenDictionary<string, int> _zoneMinutes = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["WET"] = 0,
        ["WEST"] = 60,
        ["CET"] = 60,
        ["MEZ"] = 60,
        ["WAT"] = 60,
        ["CEST"] = 120,
        ["MESZ"] = 120,
        ["EET"] = 120,
        ["CAT"] = 120,
        ["SAST"] = 120,
        ["EEST"] = 180,
        ["MSK"] = 180,
        ["EAT"] = 180,
        ["TRT"] = 180,
        ["IDT"] = 180,
        ["IRST"] = 210,
        ["PKT"] = 300,
        ["ICT"] = 420,
        ["WIB"] = 420,
        ["HKT"] = 480,
        ["SGT"] = 480,
        ["AWST"] = 480,
        ["MYT"] = 480,
        ["JST"] = 540,
        ["KST"] = 540,
        ["AEST"] = 600,
        ["AEDT"] = 660,
        ["NZST"] = 720,
        ["NZDT"] = 780,
        ["BRT"] = -180,
        ["BRST"] = -120,
        ["ART"] = -180,
        ["UYT"] = -180,
        ["CLST"] = -180,
        ["CLT"] = -240,
        ["VET"] = -240,
        ["BOT"] = -240,
        ["PYT"] = -240,
        ["PET"] = -300,
        ["COT"] = -300,
        ["EST"] = -300,
        ["EDT"] = -240,
        ["CDT"] = -300,
        ["MST"] = -420,
        ["MDT"] = -360,
        ["PST"] = -480,
        ["PDT"] = -420,
        ["AKST"] = -540,
        ["HST"] = -600,

        // The zones of registries in the Gulf, Central and South Asia, Africa's islands, the Pacific and the Guianas,
        // each the only zone its abbreviation names ("GST" is the Gulf's: South Georgia has no registry writing it).
        ["GST"] = 240,
        ["GET"] = 240,
        ["AZT"] = 240,
        ["SCT"] = 240,
        ["MUT"] = 240,
        ["RET"] = 240,
        ["SAMT"] = 240,
        ["AFT"] = 270,
        ["IRDT"] = 270,
        ["UZT"] = 300,
        ["TJT"] = 300,
        ["TMT"] = 300,
        ["MVT"] = 300,
        ["YEKT"] = 300,
        ["SLST"] = 330,
        ["NPT"] = 345,
        ["KGT"] = 360,
        ["BTT"] = 360,
        ["OMST"] = 360,
        ["MMT"] = 390,
        ["KRAT"] = 420,
        ["HOVT"] = 420,
        ["ULAT"] = 480,
        ["PHT"] = 480,
        ["WITA"] = 480,
        ["BNT"] = 480,
        ["IRKT"] = 480,
        ["WIT"] = 540,
        ["PWT"] = 540,
        ["TLT"] = 540,
        ["YAKT"] = 540,
        ["ACST"] = 570,
        ["ACDT"] = 630,
        ["CHST"] = 600,
        ["PGT"] = 600,
        ["VLAT"] = 600,
        ["SBT"] = 660,
        ["VUT"] = 660,
        ["NCT"] = 660,
        ["MAGT"] = 660,
        ["FJT"] = 720,
        ["TVT"] = 720,
        ["GILT"] = 720,
        ["MHT"] = 720,
        ["PETT"] = 720,
        ["TOT"] = 780,
        ["CVT"] = -60,
        ["GFT"] = -180,
        ["SRT"] = -180,
        ["GYT"] = -240,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _zoneLookup =
        _zoneMinutes.GetAlternateLookup<ReadOnlySpan<char>>();

    public static bool TryNamedZone(ReadOnlySpan<char> word, out TimeSpan offset)
    {
        Span<char> upper = stackalloc char[4];
        offset = TimeSpan.Zero;
        if (word.Length is < 3 or > 4)
        {
            return false;
        }

        var length = word.ToUpperInvariant(upper);
        if (!_zoneLookup.TryGetValue(upper[..length], out var minutes))
        {
            return false;
        }

        offset = TimeSpan.FromMinutes(minutes);
        return true;
    }

    public static int MonthFromName(ReadOnlySpan<char> word)
    {
        if (word.Length < 3)
        {
            return 0;
        }

        foreach (var (name, month) in _months)
        {
            if (name.AsSpan().StartsWith(word, StringComparison.OrdinalIgnoreCase))
            {
                return month;
            }
        }

        return 0;
    }

    public static bool IsWeekday(ReadOnlySpan<char> word)
    {
        // "Mar" is March before it is "martes" or "mardi".
        if (word.Length < 3 || MonthFromName(word) != 0)
        {
            return false;
        }

        foreach (var name in _weekdays)
        {
            if (name.AsSpan().StartsWith(word, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
