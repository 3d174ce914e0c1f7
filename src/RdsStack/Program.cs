using RdsStack.App;
using RdsStack.Library;

try
{
    var app = new Amazon.CDK.App();
    RdsStackApp.Build(app);
    app.Synth();
    return 0;
}
catch (InvalidSettingException error)
{
    Console.Error.WriteLine($"RdsStack: {error.Message}");
    return 1;
}
