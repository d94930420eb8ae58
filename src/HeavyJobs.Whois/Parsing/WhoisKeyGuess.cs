using System.Buffers;

namespace HeavyJobs.Whois.Parsing;

/// <summary>
/// The heuristic layer under <see cref="WhoisKeyMap"/>: a key no table knows is read by the words in it, so a
/// registry whose wording was never seen ("Registrar Compagnie Name", "Domain server 1", "activated on") still
/// gives its fields. Guesses carry the lowest priority, so a known key on another line always wins, and the
/// builder only keeps a guessed date or host name when the value really is one.
/// </summary>
internal static class WhoisKeyGuess
{
    // Words that make a key about something other than the domain's own registration: contact details, the
    // server's own data, addresses of name servers.
    private static readonly SearchValues<string> _notAboutTheDomain = SearchValues.Create(
    [
        "whois", "database", "abuse", "url", "mail", "phone", "fax", "iana", "handle", "address", "contact", "admin",
        "tech", "billing", "ipv", "ip ", "street", "city", "country", "postal", "website", "web site", "query",
        "registrant", "holder", "owner", "reseller", "password", "last renewed", "hint", "note", "disclaimer",
    ], StringComparison.Ordinal);

    // Stems of the words registries use for each date, in English and in the languages they answer in; a key is
    // looked at for expiry first, then update, then creation ("Registrierungsdatum" is a creation, "Renewal date"
    // an expiry). A guessed date is kept only when the value reads as one.
    private static readonly SearchValues<string> _expiresWords = SearchValues.Create(
    [
        "expir", "paid", "valid until", "valid to", "valid thr", "renewal", "vence", "ablauf", "scaden", "caducidad",
        "échéance", "echeance", "utløp", "udløb", "förfall", "forfall", "wygaś", "оплачен", "действителен", "istek",
        "到期", "过期", "過期", "有效期", "期限", "失效", "만료",
        "λήξ", "תפוגה", "انقضا", "انتهاء", "หมดอายุ", "закінч", "оконча", "isteka", "galiojim", "derīgum", "aegub",
        "utgång", "voimassa", "vanhene", "rennur út", "lejár", "tamat", "kedaluwarsa", "kadaluarsa", "venciment", "bitmə",
        "läuft ab", "verloop", "verval", "ვადის გასვლ", "дуусах",
    ], StringComparison.Ordinal);

    private static readonly SearchValues<string> _updatedWords = SearchValues.Create(
    [
        "updat", "modif", "modyf", "changed", "actualiza", "atualiza", "geändert", "änderung", "aktualisier", "mise à jour",
        "mise a jour", "ändrad", "ændret", "endret", "muutettu", "päivitetty", "změněn", "zmenen", "módosít", "измен",
        "обновл", "izmjen", "izmen", "güncelle", "cập nhật", "perbarui", "gewijzigd",
        "更新", "修改", "变更", "變更", "변경",
        "ενημέρωσ", "τροποποί", "עודכן", "עדכון", "روزرسانی", "تحديث", "ปรับปรุง", "оновл", "модифік", "promjen", "promen",
        "pakeitim", "izmaiņ", "muudet", "oppdater", "muokat", "breytt", "kemas kini", "actualitz", "yenilən", "bijgewerkt",
        "alterad", "განახლ", "шинэчил",
    ], StringComparison.Ordinal);

    private static readonly SearchValues<string> _createdWords = SearchValues.Create(
    [
        "creat", "approv", "registered", "registration date", "registration time", "of registration", "activat", "commencement",
        "creación", "criação", "registrado", "angelegt", "aangemaakt", "registrer", "registrasi", "rejestrac", "registrace",
        "regisztrác", "регистрац", "создан", "kayıt", "oluştur", "đăng ký",
        "注册", "註冊", "登记", "登記", "登録", "创建", "創建", "등록",
        "καταχώρ", "δημιουργ", "רישום", "ایجاد", "إنشاء", "انشاء", "จดทะเบียน", "створ", "creăr", "registracij", "reģistrācij",
        "loodud", "skapad", "opprett", "oprett", "luotu", "skráð", "létrehoz", "pendaftaran", "dibuat", "creació", "qeydiyyat",
        "erstellt", "criad", "créé", "რეგისტრაცი", "бүртгүүлсэн", "бүртгэсэн",
    ], StringComparison.Ordinal);

    private static readonly SearchValues<string> _registrarWords = SearchValues.Create(
    [
        "καταχωρητ", "ثبت کننده", "ثبت\u200cکننده", "أمين السجل", "ผู้รับจดทะเบียน", "реєстратор", "регистратор", "reģistrator",
        "registripidaja", "rekisteröijä", "skráningaraðili", "regisztrátor", "qeydiyyatçı", "註冊商", "注册商",
        "註冊服務", "注册服务",
    ], StringComparison.Ordinal);

    private static readonly SearchValues<string> _domainWords = SearchValues.Create(
    [
        "domain", "domínio", "dominio", "domini", "domän", "domæne", "domene", "domen", "domeen", "domēn", "verkkotunn", "lén",
        "τομέ", "домен", "домэйн", "დომენ", "מתחם", "دامنه", "نطاق", "โดเมน", "tên miền", "域名", "網域", "도메인",
    ], StringComparison.Ordinal);

    public static WhoisKey Guess(ReadOnlySpan<char> normalizedKey)
    {
        // RIPE-style keys join their words with hyphens ("name-server", "dns-server"); the words are what count.
        var key = normalizedKey.Contains('-') ? normalizedKey.ToString().Replace('-', ' ').AsSpan() : normalizedKey;
        if (key.Length < 3 || key.Length > 60 || ContainsAny(key, _notAboutTheDomain) || key.EndsWith(" ip", StringComparison.Ordinal)
            || key.EndsWith(" id", StringComparison.Ordinal) || key.StartsWith("id ", StringComparison.Ordinal))
        {
            return WhoisKey.None;
        }

        if (IsNameServerKey(key))
        {
            return WhoisKey.NameServer;
        }

        if (key.StartsWith("registrador", StringComparison.Ordinal) || key.StartsWith("registador", StringComparison.Ordinal)
            || key.StartsWith("registrator", StringComparison.Ordinal))
        {
            // "Registrador responsable" (Spanish), "Registador" (Portugal), "Registrator" (Nordic, Slavic transliterations).
            return WhoisKey.Registrar;
        }

        if (ContainsAny(key, _registrarWords))
        {
            // "Καταχωρητής", "רשם", "أمين السجل", "ผู้รับจดทะเบียน", "Regisztrátor", "Pendaftar", "註冊商": the registrar in
            // the languages whose word for it shares no stem with "registrar".
            return WhoisKey.Registrar;
        }

        if (key.StartsWith("등록대행", StringComparison.Ordinal))
        {
            // KISA's Korean part; as a guess it yields to the English part's "Authorized Agency" when there is one.
            return WhoisKey.Registrar;
        }

        if (key.Contains("registrar", StringComparison.Ordinal) || key.Contains("registration service", StringComparison.Ordinal))
        {
            // "Sponsoring Registrar Organization", "Registrar Compagnie Name", "Accredited Registrar",
            // "Registration Service Provided By"; dates of the registrar itself are not the domain's.
            return key.EndsWith("name", StringComparison.Ordinal) || key.EndsWith(" registrar", StringComparison.Ordinal) || key.EndsWith("organization", StringComparison.Ordinal)
                || key.EndsWith("organisation", StringComparison.Ordinal) || key.EndsWith("company", StringComparison.Ordinal)
                || key.EndsWith("provided by", StringComparison.Ordinal)
                ? WhoisKey.Registrar
                : WhoisKey.None;
        }

        if (ContainsAny(key, _expiresWords) || key.EndsWith(" until", StringComparison.Ordinal) || key.EndsWith(" till", StringComparison.Ordinal))
        {
            return WhoisKey.Expires;
        }

        if (ContainsAny(key, _updatedWords))
        {
            return WhoisKey.Updated;
        }

        if (ContainsAny(key, _createdWords) || key is "registration" || key.StartsWith("eingetragen", StringComparison.Ordinal))
        {
            return WhoisKey.Created;
        }

        // "Name of domain", "Domain name (ASCII)", "Queried domain": kept only when the value is a host name.
        return ContainsAny(key, _domainWords) && !key.Contains("status", StringComparison.Ordinal)
            && !key.Contains("type", StringComparison.Ordinal)
            ? WhoisKey.Domain
            : WhoisKey.None;
    }

    // The words of a name-server key or title, in the languages registries answer in: "Domain server 1",
    // "Nameserver (primary)", "Servidor DNS", "Serveur DNS", "Primary Server Hostname", "DNS sunucuları" (Turkish),
    // "Máy chủ tên miền" (Vietnamese), "域名服务器", "網域名稱伺服器" (Chinese), "ネームサーバ" (Japanese), "네임서버" (Korean).
    private static readonly SearchValues<string> _nameServerWords = SearchValues.Create(
    [
        "name server", "nameserver", "nserver", "domain server", "dns server", "servidor", "serveur", "sunucu",
        "server hostname", "máy chủ", "服务器", "伺服器", "ネームサーバ", "네임서버",
        "διακομιστ", "שרתי שמות", "سرورهای نام", "خوادم", "เซิร์ฟเวอร์", "сервери імен", "серверы имен", "servere de nume",
        "poslužitelj", "posluzitelj", "dns serveri", "vardų server", "vārdu server", "nimeserver", "namnserver", "navnetjener",
        "navneserver", "nimipalvelin", "nafnaþjón", "névszerver", "pelayan nama", "server nama", "خادم", "нэр сервер",
        "სერვერ",
    ], StringComparison.Ordinal);

    /// <summary>Whether a normalised key holds a word for name servers (shared by the guess and the titles of lists).</summary>
    public static bool HasNameServerWord(ReadOnlySpan<char> normalizedKey) => ContainsAny(normalizedKey, _nameServerWords);

    // Also "dns 1", "ns1", "ns 2", "primary dns", "authoritative dns 2": the word last, a number after it at most; and
    // a numbered "ns" before what it names (CO.CA's "ns1_hostname", "ns2 name").
    private static bool IsNameServerKey(ReadOnlySpan<char> key)
    {
        var word = key.TrimEnd("0123456789 ");
        return HasNameServerWord(key) || word.EndsWith(" dns", StringComparison.Ordinal) || (word is "dns" or "ns" && word.Length < key.Length)
            || IsNumberedNsKey(key);
    }

    private static bool IsNumberedNsKey(ReadOnlySpan<char> key)
    {
        var start = key.StartsWith("dns", StringComparison.Ordinal) ? 3 : key.StartsWith("ns", StringComparison.Ordinal) ? 2 : -1;
        if (start < 0)
        {
            return false;
        }

        var rest = key[start..];
        var name = rest.TrimStart("0123456789");
        return name.Length < rest.Length && name is " hostname" or " host name" or " name" or " host";
    }

    // One vectorised search for all of a list's words: a key no table knows is asked about some hundred of them.
    private static bool ContainsAny(ReadOnlySpan<char> key, SearchValues<string> words) => key.IndexOfAny(words) >= 0;
}
