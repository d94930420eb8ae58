using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace HeavyJobs.Web.Assets;

/// <summary>Serves the script and style sheet embedded in the assembly, so hosting needs no files on disk.</summary>
internal static class AssetEndpoints
{
    private static readonly ConcurrentDictionary<string, (byte[] Bytes, string ETag)?> Cache = new(StringComparer.Ordinal);

    public static void MapAssets(this IEndpointRouteBuilder app) =>
        app.MapGet("/assets/{name}", (HttpContext http, string name) =>
            {
                var type = Path.GetExtension(name) switch
                {
                    ".js" => "text/javascript; charset=utf-8",
                    ".css" => "text/css; charset=utf-8",
                    _ => null,
                };
                if (type is null || Load(name) is not { } asset)
                {
                    return Results.NotFound();
                }

                // Revalidated on every load, so a new version is picked up at once; unchanged, it costs a 304.
                http.Response.Headers.CacheControl = "no-cache";
                http.Response.Headers.ETag = asset.ETag;
                return http.Request.Headers.IfNoneMatch == asset.ETag
                    ? Results.StatusCode(StatusCodes.Status304NotModified)
                    : Results.Bytes(asset.Bytes, type);
            })
            .AllowAnonymous()
            .ExcludeFromDescription();

    private static (byte[] Bytes, string ETag)? Load(string name) => Cache.GetOrAdd(name, n =>
    {
        using var stream = typeof(AssetEndpoints).Assembly.GetManifestResourceStream("HeavyJobs.Web.Assets." + n);
        if (stream is null)
        {
            return null;
        }

        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        return (bytes, "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"");
    });
}
