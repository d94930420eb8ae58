using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace HeavyJobs.Web.Security;

/// <summary>
/// Hashes for the secrets in <see cref="WebOptions.Users"/>. Passwords get salted PBKDF2, slow on purpose;
/// API tokens are long and random, so one SHA-256 is enough and keeps every API call cheap.
/// </summary>
public static class WebSecrets
{
    private const string PasswordScheme = "pbkdf2-sha256";
    private const string TokenScheme = "sha256";
    private const int Iterations = 210_000;

    /// <summary>"pbkdf2-sha256$iterations$salt$hash", base64 parts.</summary>
    public static string HashPassword(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, Iterations, HashAlgorithmName.SHA256, 32);
        return string.Join('$', PasswordScheme, Iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    public static bool VerifyPassword(string password, string? stored)
    {
        var parts = stored?.Split('$');
        if (parts is not [PasswordScheme, var iterationsText, var saltText, var hashText]
            || !int.TryParse(iterationsText, NumberStyles.None, CultureInfo.InvariantCulture, out var iterations))
        {
            return false;
        }

        try
        {
            var expected = Convert.FromBase64String(hashText);
            var actual = Rfc2898DeriveBytes.Pbkdf2(password, Convert.FromBase64String(saltText), iterations, HashAlgorithmName.SHA256, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>A new API token to hand to a user once; keep only <see cref="HashToken"/> of it.</summary>
    public static string NewToken() => "hj_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    /// <summary>"sha256$hex".</summary>
    public static string HashToken(string token) => TokenScheme + "$" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static bool VerifyToken(string token, string? stored) =>
        stored is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(HashToken(token)), Encoding.UTF8.GetBytes(stored));
}
