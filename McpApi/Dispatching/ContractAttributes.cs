using System.ComponentModel.DataAnnotations;

namespace McpApi.Dispatching;

/// <summary>
/// On a data or context record: a plain JSON string stands for the object with only this property set
/// (<c>"hi"</c> is <c>{"text": "hi"}</c>). The schema becomes <c>oneOf</c> the string and the object.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class PlainStringAttribute(string property) : Attribute
{
    /// <summary>The C# property name the string fills.</summary>
    public string Property { get; } = property;
}

/// <summary>
/// On a data record: at least one of these groups of properties must all be present
/// (the schema's <c>anyOf: [{required: [...]}, ...]</c>). Repeat it for each alternative.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AnyOfRequiredAttribute(params string[] properties) : Attribute
{
    /// <summary>JSON (camelCase) property names.</summary>
    public string[] Properties { get; } = properties;
}

/// <summary>A name: a room, user, notebook, namespace, game or player (<see cref="Rule"/>).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class NameAttribute() : RegularExpressionAttribute(NamePattern)
{
    /// <summary>
    /// The rule as a pattern that means the same in .NET, ECMAScript (JSON Schema) and Python: in .NET and Python
    /// <c>$</c> also matches before a final newline, so <c>(?!\n)</c> keeps <c>"lobby\n"</c> out.
    /// </summary>
    public const string NamePattern = @"^[A-Za-z0-9_.-]{1,64}(?!\n)$";

    public const string Rule = "1 to 64 letters, digits, '_', '.' or '-'";

    /// <summary>An empty string is no name either (the base attribute lets "" pass and leaves it to [Required]).</summary>
    public override bool IsValid(object? value) => value is not "" && base.IsValid(value);
}

/// <summary>The context of an action that reads none: whatever context the caller sends is ignored.</summary>
[System.ComponentModel.Description("This action reads no context; any context sent is ignored.")]
public sealed record NoContext;

/// <summary>The data of an action that takes none: nothing, null or an empty object.</summary>
[System.ComponentModel.Description("No data needed.")]
public sealed record NoData;

/// <summary>
/// On a context property: the model's context scope (a notebook, room, namespace or game), which the third part of an
/// access scope names (<c>notes:*:work</c>). Absent, it is the property's default or the model's <see cref="IModelHandler.DefaultContextScope"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class ContextScopeAttribute : Attribute;

/// <summary>
/// On a context property: who acts (a chat sender, a game player). When the caller is authenticated it comes from the
/// credential: absent, it is filled in; naming someone else needs the scope <c>act-as</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class CallerNameAttribute : Attribute;
