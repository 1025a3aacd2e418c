using System.Text.RegularExpressions;
using McpApi.Dispatching;

namespace McpApi.Models;

/// <summary>The rules the models share: names and paging.</summary>
internal static partial class ModelInput
{
    public const string NameRule = NameAttribute.Rule;

    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    [GeneratedRegex(NameAttribute.NamePattern)]
    private static partial Regex NamePattern();

    public static bool IsName(string? value) => value is not null && NamePattern().IsMatch(value);

    public static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
