namespace RdsStack.App;

/// <summary>
/// The commands a developer copies from the stack outputs to get from <c>cdk deploy</c> to a <c>psql</c>
/// prompt with full certificate verification. Built from CloudFormation tokens, so they resolve to the
/// deployed endpoint, key and address.
/// </summary>
public static class ConnectionCommands
{
    /// <summary>The RDS CA bundle for a region: needed for <c>sslmode=verify-full</c>.</summary>
    public static string CaBundleUrl(string region) => $"https://truststore.pki.rds.amazonaws.com/{region}/{region}-bundle.pem";

    /// <summary>Writes the generated private key to a file only the user can read (umask 077 before the file exists).</summary>
    public static string FetchPrivateKey(string region, string parameterName, string keyFile) =>
        $"(umask 077 && aws ssm get-parameter --region {region} --name {parameterName} --with-decryption --query Parameter.Value --output text > {keyFile})";

    /// <summary>Stands for the operator's own name (login and database user) in commands of shared environments.</summary>
    public const string OperatorPlaceholder = "YOUR_OPERATOR_NAME";

    /// <summary>An SSH tunnel from local port 5432 to the database through the bastion, as <paramref name="login"/>.</summary>
    public static string SshTunnel(string keyFile, string databaseEndpoint, string login, string bastionDnsName) =>
        $"ssh -i {keyFile} -N -L 5432:{databaseEndpoint}:5432 {login}@{bastionDnsName}";

    /// <summary>The same tunnel through Session Manager with the stack's tunnel document: no key, no open port.</summary>
    public static string SessionManagerTunnel(string region, string instanceId, string documentName) =>
        $"aws ssm start-session --region {region} --target {instanceId} --document-name {documentName} --parameters localPortNumber=5432";

    /// <summary>Prints the SHA256 fingerprints of the host keys the bastion published.</summary>
    public static string HostKeyFingerprints(string region, string parameterName) =>
        $"aws ssm get-parameter --region {region} --name {parameterName} --query Parameter.Value --output text | ssh-keygen -lf -";

    /// <summary>Adds the published host keys to <c>~/.ssh/known_hosts</c> for the bastion's name.</summary>
    public static string TrustHostKeys(string region, string parameterName, string bastionDnsName) =>
        $"aws ssm get-parameter --region {region} --name {parameterName} --query Parameter.Value --output text | sed 's/^/{bastionDnsName} /' >> ~/.ssh/known_hosts";

    /// <summary>psql through the tunnel as the operator's own IAM database user, with a 15-minute token as the password.</summary>
    public static string PsqlAsIamUser(string region, string databaseEndpoint, string databaseName, string user) =>
        $"PGPASSWORD=\"$(aws rds generate-db-auth-token --region {region} --hostname {databaseEndpoint} --port 5432 --username {user})\" {Psql(region, databaseEndpoint, databaseName, user)}";

    /// <summary>Reads the master password RDS manages into <c>PGPASSWORD</c>.</summary>
    public static string FetchPassword(string region, string secretArn) =>
        $"export PGPASSWORD=\"$(aws secretsmanager get-secret-value --region {region} --secret-id {secretArn} --query SecretString --output text | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"password\"])')\"";

    /// <summary>
    /// psql through the tunnel with <c>sslmode=verify-full</c>: <c>host</c> is the real endpoint (checked against the
    /// certificate) while <c>hostaddr</c> sends the packets to the local end of the tunnel.
    /// </summary>
    public static string Psql(string region, string databaseEndpoint, string databaseName, string user) =>
        $"psql \"host={databaseEndpoint} hostaddr=127.0.0.1 port=5432 dbname={databaseName} user={user} sslmode=verify-full sslrootcert={region}-bundle.pem\"";

    /// <summary>
    /// Starts a database (and its bastion) stopped by the working-hours schedule, then waits until the database is
    /// available (a few minutes). Each start is its own command, so an already running one does not block the other.
    /// </summary>
    public static string StartNow(string region, string databaseIdentifier, string? instanceId) =>
        $"aws rds start-db-instance --region {region} --db-instance-identifier {databaseIdentifier} --query DBInstance.DBInstanceStatus --output text; "
        + (instanceId is null ? string.Empty : $"aws ec2 start-instances --region {region} --instance-ids {instanceId} --query StartingInstances[0].CurrentState.Name --output text; ")
        + $"aws rds wait db-instance-available --region {region} --db-instance-identifier {databaseIdentifier}";
}
