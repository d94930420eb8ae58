namespace HeavyJobs.Whois.Parsing;

/// <summary>
/// How registries say that a domain does not exist, in the languages they answer in. Only looked for in short lines
/// of answers that carry no registration data (see <see cref="WhoisAnswerMarkers"/>), because registered answers
/// quote such sentences in their terms of use.
/// </summary>
internal static class WhoisNotFoundPhrases
{
    /// <summary>Anywhere in a line, case-insensitively.</summary>
    public static readonly string[] Fragments =
    [
        // English, in the many forms registries vary it ("x.cl: no entries found.", "** No match found for x").
        "no match for",
        "no match found",
        "no entries found",
        "no entry found",
        "no data found",
        "no data was found",
        "data not found",
        "no records found",
        "no record found",
        "record not found",
        "no matching record",
        "no such domain",
        "nothing found",
        "object_not_found",
        "object not found",
        "domain not found",
        "domain name not found",
        "was not found",
        "not found in database",
        "does not exist",
        "is not registered",
        "not registered in",
        "is available for registration",
        "is available for purchase",
        "available for registration",
        "is free",
        "domain status: no object found",
        "query_status: 220 available",

        // Spanish, Portuguese, French, Italian, German, Dutch.
        "no existe",
        "no se encuentra registrado",
        "no está registrado",
        "no esta registrado",
        "no se encontr",
        "está disponible",
        "esta disponible",
        "dominio disponible",
        "está livre",
        "esta livre",
        "est disponible",
        "no hay registros",
        "no encontrado",
        "não encontrado",
        "nao encontrado",
        "não existe",
        "nao existe",
        "não registrado",
        "aucun résultat",
        "aucun resultat",
        "n'existe pas",
        "non trouvé",
        "non trovato",
        "non esiste",
        "nessun risultato",
        "keine daten",
        "nicht gefunden",
        "nicht registriert",
        "niet gevonden",

        // Slavic, Turkish, Hungarian, and Asian registries.
        "не найден",
        "нет данных",
        "не зарегистрирован",
        "nie znaleziono",
        "bulunamadı",
        "nincs találat",
        "nincs talalat",
        "未注册",
        "没有找到",
        "未找到",
        "没有匹配",
        "該当するデータがありません",
        "등록되지 않은",
    ];

    /// <summary>At the start of a line, after comment marks.</summary>
    public static readonly string[] Prefixes =
    [
        "no match",
        "not found",
        "no found",
        "no object found",
        "object does not exist",
        "the queried object does not exist",
        "the domain name is not registered",
        "the domain has not been registered",
        "this domain name has not been registered",
        "no information available about domain name",
        "invalid query or domain name not known",
        "this query returned 0 objects",
        "not available for registration",
        "not available for second level registration",
        "error:103: domain is not registered",
        "status: free",
        "status: available",
    ];

    /// <summary>
    /// Values of a status field that mean the domain does not exist (.de "free", .eu/.it "AVAILABLE", .nz "220 Available",
    /// .es/.cl "libre", .fr/.es "disponible").
    /// </summary>
    public static readonly string[] Statuses =
    [
        "free",
        "available",
        "no object found",
        "220 available",
        "not registered",
        "unregistered",
        "not found",
        "libre",
        "disponible",
        "disponível",
        "frei",
    ];
}
